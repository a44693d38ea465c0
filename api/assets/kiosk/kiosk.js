// The kiosk (自助服务终端): the service guide, the windows, a case's progress by its number and
// query code (typed on the keypad or scanned from the receipt's QR code), rating a finished
// case, taking a queue ticket and checking in an appointment. Shows no personal data; goes
// back to its start screen after a minute untouched (`?idle=SECONDS` or `data-idle-seconds`
// changes the minute, for tests and for halls that want another).
import { api, explain, toast, el, chineseDate } from '/assets/common/api.js';
import { keypad } from '/assets/common/keypad.js';

const body = document.body;
const center = {
  id: body.dataset.centerId,
  code: body.dataset.centerCode,
  name: body.dataset.centerName,
};
const screen = document.getElementById('screen');
const homeButton = document.getElementById('home');

const CATEGORY = {
  licensing: '行政许可',
  non_licensing: '非行政许可审批',
  public_service: '公共服务',
  disclosure_request: '依申请公开',
  complaint: '投诉举报',
};
const HANDLING = { immediate: '即办件', committed: '承诺件' };
const WINDOW_KIND = { permanent: '常设窗口', proxy: '代办窗口', comprehensive: '综合窗口' };
const FORM = { original: '原件', copy: '复印件', original_and_copy: '原件及复印件' };
// GB/T 39734: 非常满意 5 … 非常不满意 1; 1 and 2 are poor and ask what went wrong.
const LEVELS = [
  [5, '非常满意'],
  [4, '满意'],
  [3, '基本满意'],
  [2, '不满意'],
  [1, '非常不满意'],
];
const POOR_REASONS = [
  '办理时间过长',
  '多次跑腿',
  '材料要求不清楚',
  '服务态度不好',
  '窗口排队时间长',
  '收费不合理',
  '结果不满意',
];
// What the receipt's QR code holds: `{public URL}/api/v1/public/cases/{case_no}?code={code}`
// (api/src/notices/print.rs); a scanner types it as keystrokes ending with Enter.
const RECEIPT_QR = /\/public\/cases\/([^/?#\s]+)\?(?:[^#\s]*&)?code=([0-9０-９]{6})/;

/** The number and code in what a scanner typed, or null. */
function fromReceipt(text) {
  const match = RECEIPT_QR.exec(text.trim());
  if (!match) return null;
  try {
    return { caseNo: decodeURIComponent(match[1]), code: match[2] };
  } catch (error) {
    // A misread escape (`%E0`) is no receipt; the scan is ignored, as any other unread one.
    return null;
  }
}

// ---- Idle: back to the start screen, forgetting what was typed ----

function idleSeconds() {
  const asked = Number(new URLSearchParams(window.location.search).get('idle'));
  if (Number.isFinite(asked) && asked > 0) return asked;
  const configured = Number(body.dataset.idleSeconds);
  return Number.isFinite(configured) && configured > 0 ? configured : 60;
}

let idleTimer = null;
function touched() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    if (current !== 'home') {
      home();
    } else {
      // Left on its start screen, it keeps the queues' lengths fresh.
      showWaitingNow();
      touched();
    }
  }, idleSeconds() * 1000);
}
for (const kind of ['pointerdown', 'keydown', 'input', 'wheel', 'touchstart']) {
  document.addEventListener(kind, touched, { passive: true, capture: true });
}

// ---- Screens ----

let current = 'home';

function show(name, title, ...content) {
  current = name;
  body.dataset.screen = name;
  homeButton.classList.toggle('hidden', name === 'home');
  screen.replaceChildren(...(title ? [el('h2', { class: 'screen-title' }, title)] : []), ...content);
  screen.focus({ preventScroll: true });
  window.scrollTo(0, 0);
  touched();
}

function tile(icon, name, hint, action, id) {
  return el(
    'button',
    { type: 'button', class: 'tile', id, onclick: action },
    el('span', { class: 'tile-icon', 'aria-hidden': 'true' }, icon),
    el('span', { class: 'tile-name' }, name),
    el('span', { class: 'tile-hint' }, hint),
  );
}

function home() {
  show(
    'home',
    '',
    el('h2', { class: 'visually-hidden' }, '请选择服务'),
    el(
      'div',
      { class: 'tiles' },
      tile('指', '办事指南', '条件、材料、收费、时限', () => showGuide(), 'go-guide'),
      tile('查', '办件查询', '输入办件编号和查询码', () => lookup(), 'go-lookup'),
      tile('号', '取号', '选择业务，领取排队号', () => tickets(), 'go-ticket'),
      tile('签', '预约签到', '凭预约码签到取号', () => checkIn(), 'go-check-in'),
      tile('窗', '窗口分布', '各窗口受理的事项', () => windows(), 'go-windows'),
      tile('评', '好差评', '对已办结的办件评价', () => lookup({ toRate: true }), 'go-rate'),
    ),
    el('p', { class: 'scan-hint card' }, '持受理通知书的，可将回执上的二维码对准扫描口，直接查询办理进度。'),
    waitingNow,
  );
  showWaitingNow();
}

// The queues' lengths on the start screen, so a citizen sees the wait before taking a ticket.
const waitingNow = el('section', { class: 'waiting-now', 'aria-labelledby': 'waiting-now-title' });

async function showWaitingNow() {
  let queues;
  try {
    queues = await api(`/public/centers/${center.id}/queues`);
  } catch (error) {
    waitingNow.replaceChildren();
    return;
  }
  waitingNow.replaceChildren(
    el('h2', { id: 'waiting-now-title' }, '当前排队情况'),
    el(
      'ul',
      { class: 'waiting-now-list' },
      ...queues.map((queue) =>
        el(
          'li',
          { class: 'card' },
          el('span', { class: 'waiting-now-name' }, `${queue.prefix} ${queue.name}`),
          el('span', { class: `waiting-now-count ${queue.crowded ? 'queue-crowded' : ''}` }, `${queue.waiting}人等候`),
        ),
      ),
    ),
  );
}

// ---- The service guide ----

let guideEntries = null;

async function showGuide() {
  const list = el('ul', { class: 'rows', 'aria-live': 'polite' });
  const query = el('input', {
    type: 'search',
    id: 'guide-query',
    'aria-label': '事项名称或编码',
    placeholder: '输入事项名称或编码搜索',
    autocomplete: 'off',
  });
  const chips = el('div', { class: 'chips', role: 'group', 'aria-label': '按部门浏览' });
  let department = '';
  const render = (entries) => {
    list.replaceChildren(
      ...entries.map((entry) =>
        el(
          'li',
          {},
          el(
            'button',
            { type: 'button', class: 'row-button', onclick: () => item(entry.code) },
            el(
              'span',
              { class: 'row-main' },
              el('span', { class: 'row-title' }, entry.name),
              el(
                'span',
                { class: 'row-meta' },
                `${entry.department} · ${CATEGORY[entry.category] || entry.category} · ${HANDLING[entry.handling] || ''}`,
              ),
            ),
            el('span', { class: 'badge' }, `承诺${entry.promised_days}个工作日`),
          ),
        ),
      ),
    );
    if (entries.length === 0) list.replaceChildren(el('li', { class: 'empty' }, '没有找到相关事项'));
  };
  const filter = () => {
    // Typed before the guide has come: the list is drawn when it comes.
    if (!guideEntries) return;
    const words = query.value.trim();
    render(
      guideEntries.filter(
        (entry) =>
          (!department || entry.department === department) &&
          (!words || entry.name.includes(words) || entry.code.toLowerCase().includes(words.toLowerCase())),
      ),
    );
  };
  query.addEventListener('input', filter);
  show(
    'guide',
    '办事指南',
    el('div', { class: 'search' }, query, el('button', { type: 'button', class: 'primary', onclick: filter }, '搜索')),
    chips,
    list,
  );
  try {
    if (!guideEntries) guideEntries = (await api('/public/items?limit=500')).items;
  } catch (error) {
    toast(explain(error), 'error');
    return;
  }
  const departments = [...new Set(guideEntries.map((entry) => entry.department))];
  const chip = (label, value) =>
    el(
      'button',
      {
        type: 'button',
        class: 'chip',
        'aria-pressed': String(value === department),
        onclick: (event) => {
          department = value;
          for (const other of chips.children) other.setAttribute('aria-pressed', String(other === event.currentTarget));
          filter();
        },
      },
      label,
    );
  chips.replaceChildren(chip('全部部门', ''), ...departments.map((name) => chip(name, name)));
  filter();
}

function section(title, ...content) {
  return el('section', { class: 'section' }, el('h3', {}, title), ...content);
}

function paragraph(text) {
  return el('p', {}, text && text.trim() ? text : '无');
}

async function item(code) {
  let found;
  try {
    found = await api(`/public/items/${encodeURIComponent(code)}`);
  } catch (error) {
    toast(explain(error), 'error');
    return;
  }
  const fact = (label, value) =>
    el('div', { class: 'fact' }, el('span', { class: 'fact-label' }, label), el('span', { class: 'fact-value' }, value));
  const windowsHere = found.windows.filter((w) => w.center === center.name);
  const windowsElsewhere = found.windows.filter((w) => w.center !== center.name);
  show(
    'item',
    '',
    el(
      'article',
      { class: 'guide' },
      el('h2', {}, found.name),
      el('p', { class: 'muted' }, `事项编码 ${found.code} · ${found.department} · ${CATEGORY[found.category] || ''}`),
      el(
        'div',
        { class: 'facts' },
        fact('办件类型', HANDLING[found.handling] || found.handling),
        fact('法定时限', `${found.statutory_days}个工作日`),
        fact('承诺时限', `${found.promised_days}个工作日`),
      ),
      section(
        '办理窗口',
        windowsHere.length || windowsElsewhere.length
          ? el(
              'ul',
              {},
              ...windowsHere.map((w) => el('li', {}, `${w.number}号窗口 ${w.name}`)),
              ...windowsElsewhere.map((w) => el('li', {}, `${w.center} ${w.number}号窗口 ${w.name}`)),
            )
          : paragraph('请咨询服务台'),
      ),
      section('受理条件', paragraph(found.conditions)),
      section(
        '申请材料',
        found.material_lines.length
          ? el('ol', {}, ...found.material_lines.map((line) => el('li', {}, line)))
          : el(
              'ol',
              {},
              ...found.materials.map((m) => el('li', {}, `${m.name}（${FORM[m.form] || ''}，${m.copies || 1}份）`)),
            ),
      ),
      section(
        '办理流程',
        found.procedure.length ? el('ol', {}, ...found.procedure.map((step) => el('li', {}, step))) : paragraph(''),
      ),
      section('收费标准', paragraph(found.fee || '不收费')),
      section('收费依据', paragraph(found.fee_basis)),
      section('设定依据', paragraph(found.legal_basis)),
      section('申请人权利与救济途径', paragraph(found.rights_and_remedies)),
      section('咨询电话', paragraph(found.contact)),
      section('监督投诉', paragraph(found.complaint_channel)),
    ),
    el('div', { class: 'actions' }, el('button', { type: 'button', onclick: () => showGuide() }, '返回事项列表')),
  );
}

// ---- The windows ----

async function windows() {
  const list = el('ul', { class: 'windows' });
  show('windows', '窗口分布', list);
  let answer;
  try {
    answer = await api('/public/windows');
  } catch (error) {
    toast(explain(error), 'error');
    return;
  }
  const here = answer.centers.find((c) => c.code === center.code);
  const rows = here ? here.windows : [];
  list.replaceChildren(
    ...rows.map((w) =>
      el(
        'li',
        { class: 'card window-card' },
        el('span', { class: 'window-number' }, `${w.number}号`),
        el('h3', {}, w.name),
        el(
          'span',
          { class: `badge ${w.open ? 'badge-ok' : 'badge-warn'}` },
          `${WINDOW_KIND[w.kind] || w.kind} · ${w.open ? '办理中' : '暂停服务'}`,
        ),
        el('p', { class: 'window-items' }, w.items.map((i) => i.name).join('、') || '—'),
      ),
    ),
  );
  if (rows.length === 0) list.replaceChildren(el('li', { class: 'empty' }, '本中心暂无窗口信息'));
}

// ---- A form typed on the keypad ----

/** Fields that share one keypad: touching a field makes it the one the keypad fills. */
function keypadForm({ fields, letters = '', label, submitLabel, onSubmit }) {
  let active = fields[0].input;
  const proxy = el('input', { type: 'hidden' });
  const pad = keypad(proxy, { letters, label, onEnter: () => onSubmit() });
  const activate = (input) => {
    active = input;
    for (const f of fields) f.input.classList.toggle('is-active', f.input === input);
  };
  // The keypad writes into a stand-in; its value goes to the active field.
  proxy.addEventListener('input', () => {
    active.value = proxy.value.slice(0, active.maxLength > 0 ? active.maxLength : undefined);
    proxy.value = active.value;
  });
  for (const f of fields) {
    f.input.addEventListener('focus', () => {
      activate(f.input);
      proxy.value = f.input.value;
    });
    f.input.addEventListener('pointerdown', () => {
      activate(f.input);
      proxy.value = f.input.value;
    });
    f.input.addEventListener('input', () => {
      if (f.input === active) proxy.value = f.input.value;
    });
    f.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        onSubmit();
      }
    });
  }
  activate(active);
  const form = el(
    'div',
    { class: 'form-body' },
    el(
      'div',
      { class: 'form' },
      ...fields.map((f) => el('div', { class: 'field' }, el('label', { for: f.input.id }, f.label), f.input)),
      el(
        'div',
        { class: 'actions' },
        el('button', { type: 'button', class: 'primary', id: `${fields[0].input.id}-submit`, onclick: () => onSubmit() }, submitLabel),
      ),
    ),
    pad,
  );
  return {
    form,
    focus: () => {
      fields[0].input.focus();
      activate(fields[0].input);
      proxy.value = fields[0].input.value;
    },
    set: (input, value) => {
      input.value = value;
      if (input === active) proxy.value = value;
    },
  };
}

// ---- A case's progress, and its rating ----

function lookup({ toRate = false, caseNo = '', code = '' } = {}) {
  const number = el('input', {
    id: 'case-no',
    inputmode: 'none',
    autocomplete: 'off',
    maxlength: '200',
    placeholder: '如 640105-20260105-00001',
    'aria-label': '办件编号',
  });
  const queryCode = el('input', {
    id: 'query-code',
    inputmode: 'none',
    autocomplete: 'off',
    maxlength: '6',
    placeholder: '回执上的6位数字',
    'aria-label': '查询码',
  });
  const result = el('div', { class: 'result', id: 'case-result', 'aria-live': 'polite' });
  const submit = async () => {
    // A scanner typed the receipt's QR content into a field: take the number and code from it.
    const scanned = fromReceipt(number.value) || fromReceipt(queryCode.value);
    if (scanned) {
      form.set(number, scanned.caseNo);
      form.set(queryCode, scanned.code);
    }
    const no = number.value.trim();
    const code = queryCode.value.trim();
    if (!no || !/^[0-9０-９]{6}$/.test(code)) {
      toast('请输入办件编号和6位查询码', 'error');
      return;
    }
    await showCase(result, no, code, toRate);
  };
  const form = keypadForm({
    fields: [
      { input: number, label: '办件编号' },
      { input: queryCode, label: '查询码' },
    ],
    letters: '-',
    label: '数字键盘',
    submitLabel: '查询',
    onSubmit: submit,
  });
  show(
    'lookup',
    toRate ? '好差评：请先查询办件' : '办件查询',
    el('p', { class: 'muted' }, '输入受理通知书上的办件编号和查询码，或扫描回执上的二维码。'),
    form.form,
    result,
  );
  form.focus();
  if (caseNo && code) {
    form.set(number, caseNo);
    form.set(queryCode, code);
    submit();
  }
}

async function showCase(result, caseNo, code, toRate) {
  let found;
  try {
    found = await api(`/public/cases/${encodeURIComponent(caseNo)}?code=${encodeURIComponent(code)}`);
  } catch (error) {
    result.replaceChildren(
      el('p', { class: 'card badge-bad', role: 'alert' }, error.status === 404 ? '未找到该办件，请核对办件编号和查询码' : explain(error)),
    );
    return;
  }
  const finished = found.status === 'completed' || found.status === 'delivered';
  const line = (label, value) => el('tr', {}, el('th', { scope: 'row' }, label), el('td', {}, value));
  let deadline = found.deadline ? chineseDate(found.deadline) : '—';
  if (found.deadline_provisional && found.deadline) deadline += '（暂定）';
  if (!finished && found.days_left !== null && found.days_left !== undefined) deadline += `，剩余${found.days_left}个工作日`;
  if (!finished && found.days_overdue) deadline += `，已超期${found.days_overdue}个工作日`;
  const rows = [
    line('办件编号', found.case_no),
    line('办理事项', found.item),
    line('受理窗口', `${found.window.center} ${found.window.number}号窗口`),
    line('受理日期', chineseDate(found.received_on)),
    line('办结时限', deadline),
  ];
  if (found.outcome_label || found.result_label) {
    rows.push(line('办理结果', [found.outcome_label, found.result_label].filter(Boolean).join(' · ')));
  }
  if (found.certificate) {
    const valid = found.certificate.valid_until
      ? `${chineseDate(found.certificate.valid_from)}至${chineseDate(found.certificate.valid_until)}`
      : `${chineseDate(found.certificate.valid_from)}起长期有效`;
    rows.push(line('证照名称', `${found.certificate.name}（${valid}）`));
  }
  if (found.missing_materials.length) rows.push(line('待补材料', found.missing_materials.join('、')));
  result.replaceChildren(
    el(
      'div',
      { class: 'card' },
      el('p', { class: 'result-status', id: 'case-status' }, found.status_label),
      el('table', { class: 'case-facts' }, el('caption', { class: 'visually-hidden' }, '办件信息'), el('tbody', {}, ...rows)),
      el('h3', {}, '办理过程'),
      el(
        'ol',
        { class: 'timeline' },
        ...found.timeline.map((step) => el('li', {}, el('time', { datetime: step.date }, chineseDate(step.date)), step.label)),
      ),
      finished
        ? el(
            'div',
            { class: 'actions' },
            el('button', { type: 'button', class: 'primary', id: 'go-rating', onclick: () => rate(found.case_no, code, found.item) }, '评价本次服务'),
          )
        : el('p', { class: 'muted' }, toRate ? '办件办结后即可评价。' : ''),
    ),
  );
}

function rate(caseNo, code, itemName) {
  let score = 0;
  const reasons = new Set();
  const reasonBox = el(
    'fieldset',
    { class: 'reasons hidden', id: 'poor-reasons' },
    el('legend', {}, '请告诉我们哪里做得不好（可多选）'),
    el(
      'div',
      { class: 'chips' },
      ...POOR_REASONS.map((reason) =>
        el(
          'button',
          {
            type: 'button',
            class: 'chip',
            'aria-pressed': 'false',
            onclick: (event) => {
              if (reasons.has(reason)) reasons.delete(reason);
              else reasons.add(reason);
              event.currentTarget.setAttribute('aria-pressed', String(reasons.has(reason)));
            },
          },
          reason,
        ),
      ),
    ),
  );
  const send = el('button', { type: 'button', class: 'primary', id: 'send-rating', disabled: true, onclick: () => submit() }, '提交评价');
  const levels = el(
    'div',
    { class: 'levels', role: 'group', 'aria-label': '满意度' },
    ...LEVELS.map(([value, label]) =>
      el(
        'button',
        {
          type: 'button',
          class: `level ${value <= 2 ? 'level-poor' : ''}`,
          'aria-pressed': 'false',
          'data-score': String(value),
          onclick: (event) => {
            score = value;
            for (const other of levels.children) other.setAttribute('aria-pressed', String(other === event.currentTarget));
            reasonBox.classList.toggle('hidden', value > 2);
            send.disabled = false;
          },
        },
        label,
      ),
    ),
  );
  const submit = async () => {
    if (!score) return;
    const body = { code, score };
    if (score <= 2 && reasons.size) body.comment = [...reasons].join('；');
    send.disabled = true;
    try {
      const receipt = await api(`/public/cases/${encodeURIComponent(caseNo)}/rating`, { method: 'POST', body });
      show(
        'rated',
        '感谢您的评价',
        el(
          'div',
          { class: 'card', id: 'rating-done' },
          el('p', { class: 'result-status' }, `您的评价：${receipt.level}`),
          el('p', {}, score <= 2 ? '我们将在15个工作日内整改并回复。' : '欢迎再次来办事。'),
        ),
      );
    } catch (error) {
      send.disabled = false;
      toast(error.status === 409 ? '该办件已评价过，每件只能评价一次' : explain(error), 'error');
    }
  };
  show(
    'rate',
    '好差评',
    el('p', {}, `办件 ${caseNo}：${itemName}`),
    el('p', { class: 'muted' }, '请对本次办事服务作出评价（依据GB/T 39734）。'),
    levels,
    reasonBox,
    el('div', { class: 'actions' }, send),
  );
}

// ---- Queue tickets ----

function showTicket(ticket, queueName) {
  const ahead =
    ticket.window_number !== null && ticket.window_number !== undefined
      ? `请到${ticket.window_number}号窗口`
      : ticket.ahead !== null && ticket.ahead !== undefined
        ? `前面还有${ticket.ahead}人等候`
        : '';
  show(
    'ticket',
    '取号成功',
    el(
      'div',
      { class: 'ticket', id: 'ticket' },
      el('p', { class: 'ticket-queue' }, queueName || ''),
      el('p', { class: 'ticket-number', id: 'ticket-number' }, ticket.number),
      el('p', { class: 'ticket-ahead' }, ahead),
      el('p', { class: 'muted' }, '请留意大厅显示屏和语音叫号。过号请重新取号。'),
    ),
  );
}

async function tickets() {
  const list = el('ul', { class: 'rows', id: 'queues' });
  show('queues', '取号：请选择业务', list);
  let queues;
  try {
    queues = await api(`/public/centers/${center.id}/queues`);
  } catch (error) {
    toast(explain(error), 'error');
    return;
  }
  list.replaceChildren(
    ...queues.map((queue) =>
      el(
        'li',
        {},
        el(
          'button',
          {
            type: 'button',
            class: 'row-button',
            'data-prefix': queue.prefix,
            onclick: async (event) => {
              event.currentTarget.disabled = true;
              try {
                const ticket = await api(`/public/centers/${center.id}/tickets`, {
                  method: 'POST',
                  body: { queue_id: queue.id },
                });
                showTicket(ticket, queue.name);
              } catch (error) {
                toast(explain(error), 'error');
                if (current === 'queues') event.currentTarget.disabled = false;
              }
            },
          },
          el('span', { class: 'row-main' }, el('span', { class: 'row-title' }, `${queue.prefix} ${queue.name}`)),
          el(
            'span',
            { class: `queue-waiting ${queue.crowded ? 'queue-crowded' : ''}` },
            `等候 ${queue.waiting} 人${queue.crowded ? '（人多）' : ''}`,
          ),
        ),
      ),
    ),
  );
  if (queues.length === 0) list.replaceChildren(el('li', { class: 'empty' }, '当前没有可取号的业务'));
}

// ---- Checking in an appointment ----

function checkIn() {
  const codeInput = el('input', {
    id: 'booking-code',
    inputmode: 'none',
    autocomplete: 'off',
    maxlength: '9',
    placeholder: '8位预约码',
    'aria-label': '预约码',
  });
  const form = keypadForm({
    fields: [{ input: codeInput, label: '预约码' }],
    letters: 'ABCDEFGHJKLMNPQRSTUVWXYZ',
    label: '预约码键盘',
    submitLabel: '签到取号',
    onSubmit: async () => {
      const code = codeInput.value.trim();
      if (!code) {
        toast('请输入预约码', 'error');
        return;
      }
      try {
        const ticket = await api(`/public/centers/${center.id}/check-in`, {
          method: 'POST',
          body: { booking_code: code },
        });
        showTicket(ticket, '预约签到');
      } catch (error) {
        toast(error.status === 404 ? '未找到该预约，请核对预约码' : explain(error), 'error');
      }
    },
  });
  show('check-in', '预约签到', el('p', { class: 'muted' }, '请在预约时段前30分钟至开始后15分钟内签到。'), form.form);
  form.focus();
}

// ---- A scanner anywhere: the receipt's QR code opens the case ----

let scanned = '';
let scannedAt = 0;
document.addEventListener('keydown', (event) => {
  const target = event.target;
  if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) return;
  const now = Date.now();
  if (now - scannedAt > 1000) scanned = '';
  scannedAt = now;
  if (event.key === 'Enter') {
    const receipt = fromReceipt(scanned);
    scanned = '';
    if (receipt) lookup({ caseNo: receipt.caseNo, code: receipt.code });
  } else if (event.key.length === 1) {
    scanned += event.key;
  }
});

// ---- The clock and the start ----

function tick() {
  const now = new Date();
  document.getElementById('clock').textContent = now.toLocaleString('zh-CN', {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    weekday: 'long',
    hour: '2-digit',
    minute: '2-digit',
  });
}
tick();
setInterval(tick, 15000);
homeButton.addEventListener('click', () => home());
home();
