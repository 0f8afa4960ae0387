// JSON requests to the editor's endpoints, with Russian messages for every way they can fail.
export class RequestFailed extends Error {
  constructor(message, problems) {
    super(message);
    this.problems = problems || null;
  }
}

function describeStatus(status) {
  if (status === 403) {
    return 'Нет прав на это действие или истёк ключ формы: обновите страницу (сначала скачайте .bpmn, чтобы не потерять правки).';
  }
  if (status === 404) {
    return 'Черновик не найден: возможно, его удалили или уже опубликовали.';
  }
  if (status === 413) {
    return 'Схема слишком большая для сервера.';
  }
  if (status >= 500) {
    return `Ошибка на сервере (${status}). Правки не потеряны: попробуйте ещё раз или скачайте .bpmn.`;
  }
  return `Сервер ответил ошибкой ${status}.`;
}

export async function getText(url) {
  let response;
  try {
    response = await fetch(url, { credentials: 'same-origin' });
  } catch (error) {
    throw new RequestFailed('Нет связи с сервером. Проверьте сеть и обновите страницу.');
  }
  if (!response.ok) {
    throw new RequestFailed(describeStatus(response.status));
  }
  return response.text();
}

export async function getJson(url) {
  const text = await getText(url);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RequestFailed('Сервер прислал неожиданный ответ: войдите заново и обновите страницу.');
  }
}

export async function postJson(url, body, csrfToken) {
  let response;
  try {
    response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'X-CSRFToken': csrfToken,
      },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new RequestFailed('Нет связи с сервером: правки не сохранены. Проверьте сеть и повторите.');
  }
  let data = null;
  const type = response.headers.get('Content-Type') || '';
  if (type.includes('application/json')) {
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
  }
  if (response.ok && data) {
    return data;
  }
  if (data && (data.message || data.problems)) {
    throw new RequestFailed(data.message || 'Сервер отклонил схему.', data.problems || null);
  }
  if (response.ok || response.redirected) {
    throw new RequestFailed('Сессия истекла: войдите снова в другой вкладке и повторите (правки не потеряны).');
  }
  throw new RequestFailed(describeStatus(response.status));
}
