// The hall's API from the same origin: `api('/public/items', {method, body, token})`.
// Answers are parsed; a problem (RFC 9457) becomes an `ApiError` carrying its fields.

/** An answer that is not a success: the problem's fields, or what can be said without them. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.type = problem.type || 'about:blank';
    this.title = problem.title || '';
    this.detail = problem.detail || '';
    this.errors = problem.errors || [];
    this.problem = problem;
  }
}

/** Calls `/api/v1` + `path`; resolves to the parsed body (text if not JSON, null if none). */
export async function api(path, { method = 'GET', body, token, headers = {} } = {}) {
  const url = path.startsWith('/api/') ? path : `/api/v1${path}`;
  const init = { method, headers: { Accept: 'application/json', ...headers } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (token) init.headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(url, init);
  } catch (cause) {
    throw new ApiError(0, { title: '网络连接失败', detail: '无法连接服务器，请稍后再试' });
  }
  const type = response.headers.get('Content-Type') || '';
  const text = await response.text();
  let parsed = text;
  if (text && type.includes('json')) {
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      parsed = text;
    }
  }
  if (!response.ok) {
    // Only a problem's own fields are shown: a proxy's error page is markup, not a message.
    const problem = typeof parsed === 'object' && parsed ? parsed : { title: response.statusText };
    throw new ApiError(response.status, problem);
  }
  return text ? parsed : null;
}

/** The message to show for `error`, in Chinese where the API gave none. */
export function explain(error) {
  if (error instanceof ApiError) {
    if (error.status === 429) return '操作过于频繁，请稍后再试';
    if (error.status === 0) return error.detail;
    if (error.status === 401) return '登录已过期或未登录，请重新登录';
    // A fault of the server or of what stands before it: its words help nobody at the screen.
    if (error.status >= 500) return `服务器暂时无法处理（${error.status}），请稍后再试`;
    const fields = (error.errors || []).map((e) => e.detail || e.message || '').filter(Boolean);
    return [error.detail || error.title, ...fields].filter(Boolean).join('；');
  }
  return String((error && error.message) || error);
}

/**
 * Signs in with the page's `#username` and `#password`, keeps the token in the tab's
 * sessionStorage under `key` (never a URL or localStorage), and hands it to `enter`; what
 * went wrong, signing in or entering, is told in `#sign-in-error`.
 */
export async function signIn(key, enter) {
  const error = document.getElementById('sign-in-error');
  error.textContent = '';
  const username = document.getElementById('username').value.trim();
  const password = document.getElementById('password');
  if (!username || !password.value) {
    error.textContent = '请输入用户名和密码';
    return;
  }
  try {
    const answer = await api('/auth/login', {
      method: 'POST',
      body: { username, password: password.value },
    });
    sessionStorage.setItem(key, answer.access_token);
    password.value = '';
    await enter(answer.access_token);
  } catch (e) {
    error.textContent = e.status === 401 ? '用户名或密码不正确' : explain(e);
  }
}

let toastTimer = null;

/** Shows `message` for a few seconds in the page's `#toast` (made if missing). */
export function toast(message, kind = 'info', seconds = 5) {
  let box = document.getElementById('toast');
  if (!box) {
    box = document.createElement('div');
    box.id = 'toast';
    box.setAttribute('role', 'status');
    box.setAttribute('aria-live', 'polite');
    document.body.append(box);
  }
  box.textContent = message;
  box.className = `toast toast-${kind} toast-shown`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    box.className = 'toast';
  }, seconds * 1000);
}

/** Makes an element: `el('button', {class: 'big', type: 'button'}, '确定')`. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A date `2026-01-05` as `2026年1月5日`. */
export function chineseDate(iso) {
  if (!iso) return '';
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  return `${y}年${m}月${d}日`;
}
