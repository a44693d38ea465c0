// The hall display (叫号屏): the calls as the centre's event stream sends them, spoken in
// Chinese when the hall turns speech on; the people waiting per queue; the centre's own public
// board of recent results. Reconnects by itself, resuming after the last call it showed.
import { api, el, chineseDate } from '/assets/common/api.js';

const body = document.body;
const centerId = body.dataset.centerId;
const connection = document.getElementById('connection');
const currentCall = document.getElementById('current-call');
const recentCalls = document.getElementById('recent-calls');
const waiting = document.getElementById('waiting');
const board = document.getElementById('board');
const speechButton = document.getElementById('speech');

const RECENT = 8;
const BOARD_ROWS = 8;
const BOARD_REFRESH_MS = 60_000;

// ---- Speech: optional, and absent from some browsers (headless Chromium among them) ----

const speech = 'speechSynthesis' in window && typeof window.SpeechSynthesisUtterance === 'function' ? window.speechSynthesis : null;
let speaking = false;
if (!speech) {
  speechButton.disabled = true;
  speechButton.textContent = '本机不支持语音播报';
} else {
  speechButton.addEventListener('click', () => {
    speaking = !speaking;
    speechButton.setAttribute('aria-pressed', String(speaking));
    speechButton.textContent = `语音播报：${speaking ? '开' : '关'}`;
  });
}

function say(text) {
  if (!speech || !speaking) return;
  try {
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = 'zh-CN';
    utterance.rate = 0.9;
    speech.speak(utterance);
  } catch (error) {
    // A voice that fails to speak must not stop the screen from showing calls.
    speaking = false;
  }
}

// ---- Calls and queues ----

function callText(call) {
  return `请 ${call.ticket} 号到 ${call.window_number} 号窗口`;
}

function showCall(call) {
  const text = callText(call);
  currentCall.textContent = call.recall ? `再次呼叫：${text}` : text;
  currentCall.classList.remove('is-new');
  // Restarts the highlight for each call, the same ticket called again included.
  void currentCall.offsetWidth;
  currentCall.classList.add('is-new');
  recentCalls.prepend(el('li', {}, `${call.ticket} → ${call.window_number}号`));
  while (recentCalls.children.length > RECENT) recentCalls.lastElementChild.remove();
  say(text);
}

function showWaiting(queues) {
  waiting.replaceChildren(
    ...queues.map((queue) =>
      el(
        'tr',
        { 'data-queue': queue.prefix },
        el('td', {}, queue.prefix),
        el('td', {}, queue.name),
        el('td', { class: `waiting-count ${queue.warning || queue.crowded ? 'waiting-warning' : ''}` }, `${queue.waiting} 人`),
      ),
    ),
  );
}

// ---- The stream, with its reconnection ----

function setConnection(state) {
  body.dataset.connection = state;
  connection.textContent = { open: '实时连接', connecting: '正在连接…', reconnecting: '连接中断，正在重连…' }[state];
}

let source = null;
let retryTimer = null;
let retryDelay = 2000;

function connect() {
  clearTimeout(retryTimer);
  if (source) source.close();
  source = new EventSource(`/api/v1/public/centers/${centerId}/display`);
  source.addEventListener('open', () => {
    retryDelay = 2000;
    setConnection('open');
  });
  source.addEventListener('call', (event) => showCall(JSON.parse(event.data)));
  source.addEventListener('waiting', (event) => showWaiting(JSON.parse(event.data).queues));
  source.addEventListener('error', () => {
    setConnection('reconnecting');
    // The browser retries a dropped stream by itself, sending the last id it saw; a refused
    // one (429, 503) it gives up on, so the page tries again, waiting longer each time.
    if (source.readyState === EventSource.CLOSED) {
      retryTimer = setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 60_000);
    }
  });
}

// ---- The public board and the queues' counts before the stream sends them ----

async function refreshBoard() {
  try {
    const page = await api(`/public/board?center=${centerId}&limit=${BOARD_ROWS}`);
    board.replaceChildren(
      ...page.items.map((entry) =>
        el(
          'tr',
          {},
          el('td', {}, entry.case_no),
          el('td', {}, entry.applicant),
          el('td', {}, entry.item),
          el('td', {}, entry.outcome_label || '办结'),
          el('td', {}, chineseDate(entry.completed_on)),
        ),
      ),
    );
  } catch (error) {
    // The board waits for the next refresh; the calls matter more than a failed listing.
  }
}

async function firstCounts() {
  try {
    const queues = await api(`/public/centers/${centerId}/queues`);
    if (!waiting.children.length) showWaiting(queues);
  } catch (error) {
    // The stream's first event brings the counts as well.
  }
}

function tick() {
  document.getElementById('clock').textContent = new Date().toLocaleString('zh-CN', {
    month: 'long',
    day: 'numeric',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

tick();
setInterval(tick, 1000);
setConnection('connecting');
connect();
firstCounts();
refreshBoard();
setInterval(refreshBoard, BOARD_REFRESH_MS);
