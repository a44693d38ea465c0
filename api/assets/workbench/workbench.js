// The clerk's workbench: the window's session, calling tickets, accepting a case with its
// materials checklist, the window's open cases with their warnings, each action the case's
// state allows, and the notices printed from the notices API.

import { api, explain, toast, el, chineseDate, signIn } from '/assets/common/api.js';

const TOKEN_KEY = 'hall.workbench.token';
const TICKET_KEY = 'hall.workbench.ticket';
let token = sessionStorage.getItem(TOKEN_KEY);

const $ = (id) => document.getElementById(id);

const state = {
  me: null,
  window: null,
  items: new Map(),
  session: null,
  ticket: null,
  case: null,
  warnings: new Map(),
  queues: [],
  lastReceipt: null,
};

const SESSION_LABELS = { open: '开放', paused: '暂停', closed: '关闭' };
const TICKET_LABELS = {
  waiting: '等候中',
  called: '已叫号，等候到窗',
  serving: '正在办理',
  finished: '已办结离开',
  no_show: '过号',
  cancelled: '已取消',
};
const FORMS = { original: '原件', copy: '复印件', original_and_copy: '原件及复印件' };
const MATERIAL_STATES = { received: '已收取', deferred: '容缺待补', requested: '补正待交', not_provided: '未提供' };
const HANDLING = { immediate: '即办件', committed: '承诺件' };
const PAUSE_REASONS = { supplement: '补正材料', special_procedure: '特别程序', suspension: '挂起' };
const NOTICE_TITLES = {
  receipt: '受理通知书',
  refusal: '不予受理通知书',
  supplement: '补正材料一次性告知书',
  extension: '延期通知书',
  decision: '行政审批决定书',
  delivery: '送达回证',
};
const FIELD_LABELS = {
  item_id: '申请事项',
  'applicant.kind': '申请人类型',
  'applicant.name': '申请人姓名或名称',
  'applicant.id_type': '证件类型',
  'applicant.id_number': '证件号码',
  'applicant.phone': '联系电话',
  materials: '申请材料',
  note: '备注',
  reason: '不予受理理由',
};
// What to tell the clerk in Chinese for the fields whose rules are fixed; the API's own
// words follow it.
const FIELD_HINTS = {
  'applicant.name': '请填写申请人姓名或单位名称',
  'applicant.id_number': '证件号码无效：居民身份证为18位且校验位正确，统一社会信用代码为18位',
  'applicant.phone': '请填写11位手机号码或带区号的固定电话',
  materials: '材料不齐：必需材料须收取，允许容缺的须填写承诺补交日期',
  reason: '不予受理须写明理由',
};

/**
 * What the case's state allows a clerk, as the lifecycle in docs/DESIGN.md decides it
 * (extensions and transfers are the supervisors'); the API refuses anything else with 409.
 */
function allowedActions(c) {
  const open = ['accepted', 'in_progress', 'paused'].includes(c.status);
  const actions = [];
  if (c.status === 'accepted') actions.push('start');
  if (c.status === 'accepted' || c.status === 'in_progress') actions.push('pause');
  if (c.status === 'paused') actions.push('resume');
  if (open && c.missing_materials.length && c.status !== 'paused') actions.push('receive_materials');
  if ((c.status === 'accepted' && c.handling === 'immediate') || c.status === 'in_progress') actions.push('complete');
  if (c.status === 'completed') actions.push('deliver');
  if (open) actions.push('withdraw');
  return actions;
}

const ACTION_LABELS = {
  start: '承办',
  pause: '暂停（补正等）',
  resume: '恢复办理',
  receive_materials: '补交材料',
  complete: '办结',
  deliver: '送达',
  withdraw: '撤回',
};

/** The notices a case in its state may be given. */
function noticeKinds(c) {
  switch (c.status) {
    case 'not_accepted':
      return ['refusal'];
    case 'accepted':
    case 'in_progress':
      return ['receipt', 'extension'];
    case 'paused':
      return ['receipt', 'supplement', 'extension'];
    case 'completed':
      return ['receipt', 'decision'];
    case 'delivered':
      return ['receipt', 'decision', 'delivery'];
    default:
      return [];
  }
}

function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function afterDays(days) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A problem as the clerk reads it: a 409 says plainly that the state has moved on. */
function message(e) {
  if (e.status === 409) {
    return `操作未执行：办件或窗口的状态已变化或不允许此操作（${e.detail || e.title}）。已重新读取最新状态，请核对后再试。`;
  }
  if (e.status === 403) return `无权执行此操作（${e.detail || e.title}）`;
  if (e.status === 404 && e.type && e.type.endsWith('nobody-waiting')) return '当前没有等候的群众';
  return explain(e);
}

async function call(path, options = {}) {
  try {
    return await api(path, { ...options, token });
  } catch (e) {
    if (e.status === 401) {
      signOut();
      $('sign-in-error').textContent = '登录已过期，请重新登录';
    }
    throw e;
  }
}

// ---- signing in -------------------------------------------------------------------------

function signOut() {
  token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(TICKET_KEY);
  state.me = null;
  state.window = null;
  state.ticket = null;
  state.case = null;
  state.lastReceipt = null;
  // The next one at this screen must not find the last applicants, or a query code, in the page.
  closePrint();
  $('cases').replaceChildren();
  $('case').hidden = true;
  for (const id of ['case-facts', 'case-materials', 'case-actions', 'notices', 'action-form']) $(id).replaceChildren();
  for (const id of ['receipt-case-no', 'receipt-code', 'case-error', 'intake-error']) $(id).textContent = '';
  $('receipt').hidden = true;
  $('intake').reset();
  $('desk').hidden = true;
  $('who').hidden = true;
  $('window-name').textContent = '';
  $('sign-in').hidden = false;
}

async function enter() {
  state.me = await call('/auth/me');
  $('who-name').textContent = state.me.display_name;
  $('who').hidden = false;
  if (!state.me.window_id) {
    $('sign-in-error').textContent = '此账号未分配窗口，无法使用窗口工作台';
    $('sign-in').hidden = false;
    return;
  }
  state.window = await call(`/windows/${state.me.window_id}`);
  $('window-name').textContent = `${state.window.number}号窗口 · ${state.window.name}`;
  const items = await Promise.all(state.window.item_ids.map((id) => call(`/items/${id}`)));
  state.items = new Map(items.map((item) => [item.id, item]));
  $('item').replaceChildren(
    ...items.map((item) =>
      el('option', { value: item.id }, `${item.name}（${HANDLING[item.handling]}${item.promised_days ? `，${item.promised_days}个工作日` : ''}）`),
    ),
  );
  renderMaterials();
  const queues = await call(`/centers/${state.window.center_id}/queues`);
  state.queues = queues.filter((q) => q.active && serves(state.window, q)).map((q) => q.id);
  $('sign-in').hidden = true;
  $('desk').hidden = false;
  const ticketId = sessionStorage.getItem(TICKET_KEY);
  await Promise.all([
    loadSession(),
    loadWaiting(),
    ticketId ? call(`/tickets/${ticketId}`).then(showTicket, () => showTicket(null)) : null,
    loadCases(),
  ]);
  $('desk').dataset.ready = 'true';
}

// ---- the window's session ---------------------------------------------------------------

function showSession(session) {
  state.session = session;
  const label = SESSION_LABELS[session.state] || session.state;
  $('session-state').textContent = session.state === 'paused' && session.reason ? `${label}（${session.reason}）` : label;
  $('session-state').dataset.state = session.state;
  $('session-since').textContent = `自 ${new Date(session.since).toLocaleTimeString('zh-CN')}`;
  $('session-open').disabled = session.state === 'open';
  $('session-pause').disabled = session.state !== 'open';
  $('session-close').disabled = session.state === 'closed';
  $('call-next').disabled = session.state !== 'open';
}

async function loadSession() {
  showSession(await call(`/windows/${state.window.id}/session`));
}

async function setSession(body) {
  try {
    showSession(await call(`/windows/${state.window.id}/session`, { method: 'PUT', body }));
    toast(`窗口已${SESSION_LABELS[body.state]}`);
  } catch (e) {
    toast(message(e), 'error');
    await loadSession().catch(() => {});
  }
}

// ---- tickets ------------------------------------------------------------------------------

/** Whether the window may call the queue's tickets, as the queue decides it (domain::queue::serves). */
function serves(window, queue) {
  return (
    window.center_id === queue.center_id &&
    ((queue.window_ids || []).includes(window.id) || (queue.item_ids || []).some((id) => window.item_ids.includes(id)))
  );
}

/** How many wait now in the queues this window calls. */
async function loadWaiting() {
  if (!state.window) return;
  const queues = await api(`/public/centers/${state.window.center_id}/queues`);
  const mine = queues.filter((q) => state.queues.includes(q.id));
  const waiting = mine.reduce((sum, q) => sum + q.waiting, 0);
  $('waiting').textContent = `${mine.map((q) => q.prefix).join('、')} 队列等候 ${waiting} 人`;
  $('waiting').dataset.waiting = String(waiting);
}

function showTicket(ticket) {
  state.ticket = ticket && !['finished', 'no_show', 'cancelled'].includes(ticket.status) ? ticket : null;
  if (ticket) sessionStorage.setItem(TICKET_KEY, ticket.id);
  if (!state.ticket) sessionStorage.removeItem(TICKET_KEY);
  $('ticket').hidden = !ticket;
  $('ticket-none').hidden = !!ticket;
  $('intake-ticket').textContent = state.ticket ? `当前排队号：${state.ticket.number}（受理的办件将记入此号）` : '';
  if (!ticket) return;
  $('ticket-number').textContent = ticket.number;
  $('ticket-status').textContent = TICKET_LABELS[ticket.status] || ticket.status;
  $('ticket').dataset.status = ticket.status;
  const actions = [];
  if (ticket.status === 'called') actions.push(['serve', '到窗办理'], ['recall', '重呼'], ['no_show', '过号']);
  if (ticket.status === 'serving') actions.push(['finish', '办理完毕']);
  $('ticket-actions').replaceChildren(
    ...actions.map(([action, label]) =>
      el('button', { type: 'button', 'data-action': action, onclick: () => ticketAction(action) }, label),
    ),
  );
}

async function callNext() {
  try {
    const ticket = await call(`/windows/${state.window.id}/call-next`, { method: 'POST' });
    showTicket(ticket);
    toast(`请 ${ticket.number} 号到 ${state.window.number} 号窗口`);
    loadWaiting().catch(() => {});
  } catch (e) {
    toast(message(e), 'error');
    if (e.status === 409) await loadSession().catch(() => {});
  }
}

async function ticketAction(action) {
  const ticket = state.ticket;
  if (!ticket) return;
  try {
    showTicket(await call(`/tickets/${ticket.id}/events`, { method: 'POST', body: { action, version: ticket.version } }));
  } catch (e) {
    toast(message(e), 'error');
    showTicket(await call(`/tickets/${ticket.id}`).catch(() => null));
  }
}

// ---- intake -------------------------------------------------------------------------------

function renderMaterials() {
  const item = state.items.get($('item').value);
  const materials = item ? item.materials : [];
  if (!materials.length) {
    $('materials').replaceChildren(el('p', { class: 'hint' }, '此事项无须提交材料'));
    return;
  }
  $('materials').replaceChildren(
    ...materials.map((m, i) => {
      const id = `material-${i}`;
      const describe = `${FORMS[m.form] || m.form}，${m.copies || 1}份，${m.required === false ? '非必需' : '必需'}`;
      const row = el(
        'div',
        { class: 'material', 'data-name': m.name },
        el('input', { type: 'checkbox', id, class: 'material-received', 'data-name': m.name }),
        el('label', { for: id }, m.name, ' ', el('span', { class: 'hint' }, `（${describe}）`)),
      );
      if (m.required !== false && m.deferrable) {
        const deferId = `${id}-defer`;
        const dueId = `${id}-due`;
        const defer = el('input', { type: 'checkbox', id: deferId, class: 'material-defer' });
        const due = el('input', { type: 'date', id: dueId, class: 'material-due', min: afterDays(1), value: afterDays(7), disabled: true });
        const received = row.querySelector('.material-received');
        defer.addEventListener('change', () => {
          due.disabled = !defer.checked;
          if (defer.checked) received.checked = false;
        });
        received.addEventListener('change', () => {
          if (received.checked) {
            defer.checked = false;
            due.disabled = true;
          }
        });
        row.append(
          el('span', { class: 'defer' }, defer, el('label', { for: deferId }, '容缺受理'), el('label', { for: dueId }, '承诺补交日期'), due),
        );
      }
      return row;
    }),
  );
}

function clearErrors() {
  for (const node of document.querySelectorAll('#intake .field-error')) node.textContent = '';
  for (const node of document.querySelectorAll('#intake [aria-invalid]')) node.removeAttribute('aria-invalid');
  $('intake-error').textContent = '';
}

/** The API's field errors, each beside its field, in Chinese first and the API's words after. */
function showErrors(e) {
  const unplaced = [];
  const seen = new Set();
  for (const error of e.errors || []) {
    const field = error.field || '';
    const key = Object.keys(FIELD_LABELS).find((name) => field === name || field.startsWith(`${name}.`) || field.startsWith(`${name}[`));
    const box = key && $(`error-${key}`);
    if (!box) {
      unplaced.push(`${field}: ${error.message}`);
      continue;
    }
    if (!seen.has(key)) {
      seen.add(key);
      box.textContent = '';
      if (FIELD_HINTS[key]) box.append(FIELD_HINTS[key], ' ');
      const input = document.querySelector(`#intake [data-field="${key}"]`);
      input?.setAttribute('aria-invalid', 'true');
    }
    box.append(el('span', { class: 'api-words', lang: 'en' }, error.message), ' ');
  }
  $('intake-error').textContent = [
    seen.size ? `有 ${seen.size} 项需要更正：${[...seen].map((k) => FIELD_LABELS[k]).join('、')}` : e.detail || message(e),
    ...unplaced,
  ].join('；');
}

async function submitIntake(event) {
  event.preventDefault();
  clearErrors();
  const decision = document.querySelector('input[name=decision]:checked').value;
  const received = [];
  const deferred = [];
  for (const row of document.querySelectorAll('#materials .material')) {
    const name = row.dataset.name;
    if (row.querySelector('.material-received').checked) received.push(name);
    const defer = row.querySelector('.material-defer');
    if (defer?.checked) deferred.push({ name, due_on: row.querySelector('.material-due').value });
  }
  const body = {
    item_id: $('item').value,
    applicant: {
      kind: $('applicant-kind').value,
      name: $('applicant-name').value.trim(),
      id_type: $('applicant-id-type').value,
      id_number: $('applicant-id-number').value.trim(),
      phone: $('applicant-phone').value.trim(),
    },
    decision,
    materials: { received, deferred },
  };
  const note = $('intake-note').value.trim();
  if (note) body.note = note;
  if (decision === 'not_accepted') body.reason = $('refusal-reason').value.trim() || null;
  if (state.ticket) body.ticket_id = state.ticket.id;
  const submit = $('intake-submit');
  submit.disabled = true;
  try {
    const receipt = await call('/cases', { method: 'POST', body });
    state.lastReceipt = receipt;
    $('receipt-case-no').textContent = receipt.case_no;
    $('receipt-code').textContent = receipt.query_code;
    $('receipt-status').textContent = receipt.status === 'not_accepted' ? '已不予受理' : '已受理';
    $('receipt-print').textContent = receipt.status === 'not_accepted' ? '打印不予受理通知书' : '打印受理通知书';
    $('receipt').hidden = false;
    $('intake').reset();
    renderMaterials();
    showDecision();
    toast(receipt.status === 'not_accepted' ? `已不予受理：${receipt.case_no}` : `已受理：${receipt.case_no}`);
    await loadCases();
  } catch (e) {
    if (e.status === 422 || e.status === 400) showErrors(e);
    else $('intake-error').textContent = message(e);
  } finally {
    submit.disabled = false;
  }
}

// ---- the window's open cases ------------------------------------------------------------

const WARNING_LABELS = { yellow: '黄牌', red: '红牌' };

async function loadCases() {
  const window = state.window.id;
  const [pages, warnings] = await Promise.all([
    Promise.all([
      ...['accepted', 'in_progress', 'paused'].map((status) => call(`/cases?window=${window}&status=${status}&limit=100`)),
      // Results to hand over (送达), received in the last 30 days: years of undelivered
      // history would bury the open cases.
      call(`/cases?window=${window}&status=completed&received_from=${afterDays(-30)}&limit=100`),
    ]),
    call(`/supervision/warnings?window=${window}&limit=200`).catch(() => ({ items: [] })),
  ]);
  state.warnings = new Map(warnings.items.map((w) => [w.case_id, w]));
  const cases = pages.flatMap((p) => p.items).sort((a, b) => (a.received_at < b.received_at ? 1 : -1));
  $('cases').replaceChildren(...cases.map(caseRow));
  $('cases-none').hidden = cases.length > 0;
}

function warningBadge(w) {
  if (!w) return el('span', { class: 'hint' }, '—');
  const parts = [];
  if (w.warning) {
    const when = w.warning === 'red' ? `超期${w.days_overdue ?? ''}个工作日` : `剩${w.days_left ?? ''}个工作日`;
    parts.push(el('span', { class: `badge badge-${w.warning}` }, `${WARNING_LABELS[w.warning]} ${when}`));
  }
  if (w.overdue_materials?.length) parts.push(el('span', { class: 'badge badge-material' }, '容缺逾期'));
  return el('span', {}, ...parts);
}

function caseRow(c) {
  const item = state.items.get(c.item_id);
  return el(
    'tr',
    { 'data-case': c.id, 'data-case-no': c.case_no },
    el('td', {}, c.case_no),
    el('td', {}, item ? item.name : ''),
    el('td', {}, c.applicant.name),
    el('td', {}, c.status_label),
    el('td', {}, c.deadline ? chineseDate(c.deadline) : '—'),
    el('td', {}, warningBadge(state.warnings.get(c.id))),
    el('td', {}, c.missing_materials.join('、') || '—'),
    el('td', {}, el('button', { type: 'button', class: 'open-case', onclick: () => openCase(c.id) }, '办理')),
  );
}

// ---- one case -----------------------------------------------------------------------------

async function openCase(id) {
  const [c, notices] = await Promise.all([call(`/cases/${id}`), call(`/cases/${id}/notices`)]);
  showCase(c, notices.items);
  $('case').hidden = false;
  $('case').scrollIntoView({ block: 'start' });
}

function showCase(c, notices) {
  state.case = c;
  const open = ['accepted', 'in_progress', 'paused'].includes(c.status);
  const item = state.items.get(c.item_id);
  const facts = [
    ['办件编号', c.case_no],
    ['事项', item ? item.name : c.item_id],
    ['办件类型', HANDLING[c.handling]],
    ['状态', c.status_label + (c.paused ? '（计时暂停）' : '')],
    ['申请人', `${c.applicant.name}　${c.applicant.phone}`],
    ['受理日期', chineseDate(c.received_on)],
    ['办结时限', c.deadline ? chineseDate(c.deadline) + (c.deadline_provisional ? '（预估）' : '') : '—'],
    ['预警', warningBadge(open ? state.warnings.get(c.id) : null)],
  ];
  if (c.completed_on) facts.push(['办结日期', `${chineseDate(c.completed_on)}${c.on_time === false ? '（超期）' : '（按时）'}`]);
  if (c.result_label) facts.push(['办结结果', `${c.result_label}${c.result ? `：${c.result}` : ''}`]);
  $('case-title').textContent = `办件 ${c.case_no}`;
  $('case').dataset.status = c.status;
  $('case').dataset.caseId = c.id;
  $('case-facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  $('case-materials').replaceChildren(
    ...c.materials.map((m) =>
      el(
        'li',
        { class: `material-state-${m.state}` },
        `${m.name}：${MATERIAL_STATES[m.state] || m.state}`,
        m.due_on ? `（承诺 ${chineseDate(m.due_on)} 前补交）` : '',
      ),
    ),
  );
  $('case-actions').replaceChildren(
    ...allowedActions(c).map((action) =>
      el('button', { type: 'button', 'data-action': action, onclick: () => actionForm(action) }, ACTION_LABELS[action]),
    ),
  );
  $('action-form').hidden = true;
  $('case-error').textContent = '';
  $('notice-kinds').replaceChildren(
    ...noticeKinds(c).map((kind) =>
      el('button', { type: 'button', 'data-kind': kind, onclick: () => issueNotice(kind) }, `开具${NOTICE_TITLES[kind]}`),
    ),
  );
  $('notices').replaceChildren(
    ...notices.map((n) =>
      el(
        'li',
        { 'data-notice': n.id },
        `${n.title} ${n.number}${n.voided ? '（已作废）' : ''} `,
        el('button', { type: 'button', class: 'print', onclick: () => printNotice(n) }, '打印'),
      ),
    ),
  );
}

/** A labelled control for an action's form. */
function control(id, label, input) {
  input.id = id;
  return el('div', { class: 'field' }, el('label', { for: id }, label), input);
}

function checklist(names, prefix) {
  return el(
    'fieldset',
    { class: 'checklist' },
    el('legend', {}, prefix === 'arrived' ? '已补交的材料' : '材料'),
    ...names.map((name, i) =>
      el(
        'div',
        {},
        el('input', { type: 'checkbox', id: `${prefix}-${i}`, value: name, class: `${prefix}-material`, checked: prefix !== 'ask' }),
        el('label', { for: `${prefix}-${i}` }, name),
      ),
    ),
  );
}

function actionForm(action) {
  const c = state.case;
  const form = $('action-form');
  const fields = [];
  switch (action) {
    case 'pause': {
      const reason = el('select', {}, ...Object.entries(PAUSE_REASONS).map(([v, l]) => el('option', { value: v }, l)));
      fields.push(control('act-reason', '暂停原因', reason));
      fields.push(el('p', { class: 'hint' }, '补正：勾选需一次性告知申请人补正的全部材料'));
      fields.push(checklist(c.materials.map((m) => m.name), 'ask'));
      fields.push(control('act-note', '说明', el('input', { maxlength: '1000' })));
      break;
    }
    case 'resume':
      if (c.missing_materials.length) fields.push(checklist(c.missing_materials, 'arrived'));
      break;
    case 'receive_materials':
      fields.push(checklist(c.missing_materials, 'arrived'));
      break;
    case 'complete': {
      const outcome = el('select', {}, el('option', { value: 'approved' }, '准予'), el('option', { value: 'denied' }, '不予准予'));
      fields.push(control('act-outcome', '决定', outcome));
      fields.push(control('act-result', '决定内容', el('input', { maxlength: '4000', value: '准予办理' })));
      fields.push(
        el(
          'fieldset',
          { class: 'checklist' },
          el('legend', {}, '证照（准予并发证时填写）'),
          control('act-cert-name', '证照名称', el('input', { maxlength: '200' })),
          control('act-cert-number', '证照编号', el('input', { maxlength: '200' })),
          control('act-cert-from', '有效期自', el('input', { type: 'date', value: today() })),
          control('act-cert-by', '发证机关', el('input', { maxlength: '200' })),
        ),
      );
      break;
    }
    case 'deliver':
      fields.push(control('act-note', '送达方式', el('input', { maxlength: '1000', value: '窗口领取' })));
      break;
    case 'withdraw':
      fields.push(control('act-note', '撤回原因', el('input', { maxlength: '1000' })));
      break;
    default:
      break;
  }
  form.replaceChildren(
    el('h4', {}, ACTION_LABELS[action]),
    ...fields,
    el('div', { class: 'buttons' }, el('button', { type: 'submit', class: 'primary', 'data-confirm': action }, `确认${ACTION_LABELS[action]}`), el('button', { type: 'button', onclick: () => (form.hidden = true) }, '取消')),
  );
  form.dataset.action = action;
  form.hidden = false;
  form.querySelector('input, select, button')?.focus();
}

function checked(prefix) {
  return [...document.querySelectorAll(`#action-form .${prefix}-material:checked`)].map((x) => x.value);
}

const value = (id) => ($(id)?.value ?? '').trim();

async function submitAction(event) {
  event.preventDefault();
  const c = state.case;
  const action = $('action-form').dataset.action;
  const body = { action, version: c.version };
  switch (action) {
    case 'pause':
      body.reason = value('act-reason');
      if (body.reason === 'supplement') body.materials = checked('ask');
      if (value('act-note')) body.note = value('act-note');
      break;
    case 'resume':
      if (c.missing_materials.length) body.arrived = checked('arrived');
      break;
    case 'receive_materials':
      body.materials = checked('arrived');
      break;
    case 'complete':
      body.outcome = value('act-outcome');
      if (value('act-result')) body.result = value('act-result');
      if (body.outcome === 'approved' && value('act-cert-name')) {
        body.certificate = {
          name: value('act-cert-name'),
          number: value('act-cert-number'),
          valid_from: value('act-cert-from'),
          issued_by: value('act-cert-by'),
        };
      }
      break;
    case 'deliver':
      if (value('act-note')) body.note = value('act-note');
      break;
    case 'withdraw':
      if (value('act-note')) body.reason = value('act-note');
      break;
    default:
      break;
  }
  $('case-error').textContent = '';
  try {
    const updated = await call(`/cases/${c.id}/events`, { method: 'POST', body });
    toast(`已${ACTION_LABELS[action]}：${updated.case_no}，现为“${updated.status_label}”`);
    const notices = await call(`/cases/${c.id}/notices`);
    await loadCases();
    showCase(updated, notices.items);
  } catch (e) {
    $('case-error').textContent = message(e);
    if (e.errors?.length) {
      $('case-error').append(' ', ...e.errors.map((x) => el('span', { class: 'api-words', lang: 'en' }, `${x.field}: ${x.message}；`)));
    }
    if (e.status === 409) {
      const keep = $('case-error').textContent;
      await openCase(c.id).catch(() => {});
      $('case-error').textContent = keep;
    }
  }
}

// ---- notices and printing -----------------------------------------------------------------

async function issueNotice(kind) {
  const c = state.case;
  try {
    const notice = await call(`/cases/${c.id}/notices`, { method: 'POST', body: { kind } });
    const [updated, notices] = await Promise.all([call(`/cases/${c.id}`), call(`/cases/${c.id}/notices`)]);
    showCase(updated, notices.items);
    await printNotice(notice);
  } catch (e) {
    $('case-error').textContent = message(e);
  }
}

async function printReceipt() {
  const receipt = state.lastReceipt;
  if (!receipt) return;
  const kind = receipt.status === 'not_accepted' ? 'refusal' : 'receipt';
  try {
    const existing = (await call(`/cases/${receipt.id}/notices`)).items.find((n) => n.kind === kind && !n.voided);
    const notice = existing || (await call(`/cases/${receipt.id}/notices`, { method: 'POST', body: { kind } }));
    await printNotice(notice);
  } catch (e) {
    toast(message(e), 'error');
  }
}

let printSheet = null;

// What a centre's template could slip into the document that would act rather than print:
// the page's policy would refuse most of it, but a refused handler is still an error, and a
// <meta http-equiv=refresh> would take the clerk away.
const ACTIVE_ELEMENTS = 'script, link, meta, base, iframe, frame, frameset, object, embed, form, template, noscript';
const URL_ATTRIBUTES = ['href', 'src', 'xlink:href', 'action', 'formaction', 'srcset', 'data', 'background', 'poster'];

/** `doc` with nothing left that runs, navigates or loads from elsewhere. */
function inert(doc) {
  for (const node of doc.querySelectorAll(ACTIVE_ELEMENTS)) node.remove();
  for (const node of doc.querySelectorAll('*')) {
    for (const attribute of [...node.attributes]) {
      const name = attribute.name.toLowerCase();
      const url = URL_ATTRIBUTES.includes(name) && !/^\s*data:image\/(png|gif|jpeg|webp);/i.test(attribute.value);
      if (name.startsWith('on') || url) node.removeAttribute(attribute.name);
    }
  }
}

/**
 * The notice's printable page, shown in place of the workbench: the document's own markup
 * and its stylesheet (through the CSSOM, which the page's policy allows), ready to print.
 */
async function printNotice(notice) {
  const html = String(await call(`/notices/${notice.id}`, { headers: { Accept: 'text/html' } }));
  // The stylesheet is lifted out before parsing: even a parsed-only <style> would be reported
  // as a breach of this page's policy.
  const css = [];
  const markup = html.replace(/<style[^>]*>([\s\S]*?)<\/style>/gi, (_, text) => {
    css.push(text);
    return '';
  });
  // Chromium fires an inert document's image errors while it parses, so every handler is
  // renamed before parsing as well: the page's policy would refuse it, but as an error.
  const quiet = markup.replace(/<[a-z][^>]*>/gi, (tag) => tag.replace(/(\s)on([a-z]+\s*=)/gi, '$1data-on$2'));
  const doc = new DOMParser().parseFromString(quiet, 'text/html');
  inert(doc);
  printSheet = new CSSStyleSheet();
  printSheet.replaceSync(css.join('\n'));
  document.adoptedStyleSheets = [printSheet];
  $('print-body').replaceChildren(...[...doc.body.childNodes].map((node) => document.adoptNode(node)));
  $('print-title').textContent = `${notice.title} ${notice.number}`;
  $('print-view').dataset.notice = notice.id;
  $('app').hidden = true;
  $('print-view').hidden = false;
  document.body.classList.add('printing');
  document.title = `${notice.title} ${notice.number}`;
  $('print-now').focus();
}

function closePrint() {
  document.adoptedStyleSheets = [];
  printSheet = null;
  $('print-body').replaceChildren();
  $('print-view').hidden = true;
  $('app').hidden = false;
  document.body.classList.remove('printing');
  document.title = '窗口工作台 · 政务服务大厅';
}

// ---- start ----------------------------------------------------------------------------------

$('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  signIn(TOKEN_KEY, (signedIn) => {
    token = signedIn;
    return enter();
  });
});
$('sign-out').addEventListener('click', signOut);
$('session-open').addEventListener('click', () => setSession({ state: 'open' }));
$('session-close').addEventListener('click', () => setSession({ state: 'closed' }));
$('pause-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const reason = $('pause-reason').value.trim();
  if (!reason) {
    toast('请填写暂停原因', 'error');
    $('pause-reason').focus();
    return;
  }
  setSession({ state: 'paused', reason });
});
$('call-next').addEventListener('click', callNext);
// The line changes without the clerk: look again now and then.
setInterval(() => {
  if (state.window && !document.hidden) loadWaiting().catch(() => {});
}, 20000);
$('item').addEventListener('change', renderMaterials);
function showDecision() {
  const refuse = document.querySelector('input[name=decision]:checked')?.value === 'not_accepted';
  $('refusal').hidden = !refuse;
  $('intake-submit').textContent = refuse ? '确认不予受理' : '确认受理';
}
for (const radio of document.querySelectorAll('input[name=decision]')) radio.addEventListener('change', showDecision);
$('intake').addEventListener('submit', submitIntake);
$('receipt-print').addEventListener('click', printReceipt);
$('receipt-open').addEventListener('click', () => state.lastReceipt && openCase(state.lastReceipt.id));
$('cases-refresh').addEventListener('click', () => loadCases().catch((e) => toast(message(e), 'error')));
$('case-close').addEventListener('click', () => ($('case').hidden = true));
$('action-form').addEventListener('submit', submitAction);
$('print-now').addEventListener('click', () => window.print());
$('print-back').addEventListener('click', closePrint);

if (token) enter().catch((e) => toast(message(e), 'error'));
else $('username').focus();
