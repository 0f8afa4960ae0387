// Forms speak Russian. The server checks every field and answers in Russian beside it, so no
// form lets the browser show its own «Please fill out this field» bubble in its own language.
document.querySelectorAll("form").forEach((form) => {
  form.noValidate = true;
});

// File inputs speak Russian. A browser draws its own button («Choose File») in its own
// language; each file input gets a button «Выбрать файл» and the chosen file's name instead.
// The input itself stays in the form (visually hidden), so labels, forms and tests use it as is.
(function () {
  const NONE = "Файл не выбран";
  let next = 0;
  document.querySelectorAll('input[type="file"]').forEach((input) => {
    if (!input.id) input.id = `file-input-${++next}`;
    const small = input.classList.contains("form-control-sm");
    const group = document.createElement("div");
    group.className = `input-group file-picker${small ? " input-group-sm" : ""}`;
    const button = document.createElement("label");
    button.className = "btn btn-outline-secondary";
    button.htmlFor = input.id;
    button.textContent = input.multiple ? "Выбрать файлы" : "Выбрать файл";
    const chosen = document.createElement("span");
    chosen.className = "form-control text-truncate text-muted";
    chosen.dataset.fileName = "";
    chosen.textContent = NONE;
    if (input.classList.contains("is-invalid")) chosen.classList.add("is-invalid");
    input.classList.add("visually-hidden");
    input.replaceWith(group);
    group.append(input, button, chosen);
    input.addEventListener("change", () => {
      const names = Array.from(input.files || []).map((file) => file.name);
      chosen.textContent = names.length ? names.join(", ") : NONE;
      chosen.classList.toggle("text-muted", !names.length);
    });
  });
})();
