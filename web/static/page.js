// The small behaviours of our pages, declared in the templates with data attributes. The
// Content-Security-Policy (web/headers.py) runs no inline script and no onclick="…" handler,
// so templates say what they want and this file does it:
//   data-confirm="Вопрос?"   on a form (asked on submit) or a button (asked on click)
//   data-autosubmit          on a select: choosing a value submits its form
//   data-print               on a button: prints the page
//   data-open-details="id"   on a link: opens the <details> with that id
//   data-for-kind="person"   on a block: shown only while the form's «kind» radio has that value
(function () {
  document.addEventListener('submit', (event) => {
    const question = event.target.dataset && event.target.dataset.confirm;
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const asking = target && target.closest('button[data-confirm], input[data-confirm]');
    if (asking && !window.confirm(asking.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (target && target.closest('[data-print]')) {
      window.print();
      return;
    }
    const opener = target && target.closest('[data-open-details]');
    if (opener) {
      const details = document.getElementById(opener.dataset.openDetails);
      if (details) {
        details.open = true;
      }
    }
  });

  document.addEventListener('change', (event) => {
    const select = event.target;
    if (select instanceof HTMLSelectElement && select.hasAttribute('data-autosubmit') && select.form) {
      select.form.submit();
    }
  });

  const boxes = document.querySelectorAll('[data-for-kind]');
  if (boxes.length) {
    const kinds = document.querySelectorAll('input[name="kind"]');
    const show = () => {
      const picked = document.querySelector('input[name="kind"]:checked');
      boxes.forEach((box) => {
        box.hidden = Boolean(picked) && box.dataset.forKind !== picked.value;
      });
    };
    kinds.forEach((radio) => radio.addEventListener('change', show));
    show();
  }
})();
