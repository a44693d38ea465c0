// The statistics dashboard: key figures, the yearly report's sentence and the charts of a
// period, as the API computes them; each chart's data downloads as the CSV of what it drew.

import { api, explain, toast, el, signIn } from '/assets/common/api.js';

const TOKEN_KEY = 'hall.dashboard.token';
let token = sessionStorage.getItem(TOKEN_KEY);

const $ = (id) => document.getElementById(id);

// Colours with enough contrast on white for text and bars alike.
const BLUE = '#1f5fa8';
const GREEN = '#2e7d32';
const ORANGE = '#b45309';
const RED = '#b91c1c';
const GREY = '#5f6b7a';

const number = (n) => (n === null || n === undefined ? '—' : Number(n).toLocaleString('zh-CN'));

/** A rate 0..1 as the report prints it: `100%`, `92.1%`. */
function percent(rate) {
  if (rate === null || rate === undefined) return '—';
  const value = Math.round(rate * 1000) / 10;
  return `${Number.isInteger(value) ? value.toFixed(0) : value.toFixed(1)}%`;
}

function minutes(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  return `${(seconds / 60).toFixed(1)} 分钟`;
}

/**
 * The cards of now (电子监察) with the hall's own date: the hall's time zone decides what
 * "today" is, not the browser's.
 */
function warningsNow() {
  return api('/stats/warnings', { token });
}

// ---- signing in -------------------------------------------------------------------------

function signOut() {
  token = null;
  // A query still under way draws nothing once its reader has gone.
  refreshing += 1;
  sessionStorage.removeItem(TOKEN_KEY);
  for (const chart of charts.values()) chart.instance?.dispose();
  charts.clear();
  $('charts').replaceChildren();
  $('report-text').replaceChildren();
  delete $('board').dataset.loaded;
  $('board').hidden = true;
  $('who').hidden = true;
  $('sign-in').hidden = false;
  $('username').focus();
}

/** A token the hall no longer takes (expired, or its user changed): back to signing in. */
function expired() {
  signOut();
  $('sign-in-error').textContent = '登录已过期，请重新登录';
}

const ROLES = { admin: '管理员', supervisor: '监察负责人', analyst: '统计分析员', clerk: '窗口工作人员' };

async function enter() {
  let me;
  try {
    me = await api('/auth/me', { token });
  } catch (e) {
    if (e.status === 401) {
      expired();
      return;
    }
    throw e;
  }
  $('who-name').textContent = `${me.display_name}（${ROLES[me.role] || me.role}）`;
  $('who').hidden = false;
  $('sign-in').hidden = true;
  $('board').hidden = false;
  if (!$('from').value) {
    const { today } = await warningsNow();
    $('from').value = `${today.slice(0, 4)}-01-01`;
    $('to').value = today;
  }
  await refresh();
}

// ---- the period ---------------------------------------------------------------------------

function period() {
  const from = $('from').value;
  const to = $('to').value;
  const asOf = $('as-of').value;
  const top = Number($('top').value) || 10;
  return { from, to, asOf, top };
}

function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, value);
  }
  return search.toString();
}

let refreshing = 0;

async function refresh(event) {
  event?.preventDefault();
  const p = period();
  const error = $('period-error');
  error.textContent = '';
  if (!p.from || !p.to) {
    error.textContent = '请选择统计期间';
    return;
  }
  if (p.from > p.to) {
    error.textContent = '起始日期不能晚于结束日期';
    return;
  }
  // One summary serves the tiles and the rating chart.
  p.summary = api(`/stats/summary?${query({ from: p.from, to: p.to, as_of: p.asOf })}`, { token });
  p.summary.catch(() => {});
  p.warnings = warningsNow();
  p.warnings.catch(() => {});
  const run = ++refreshing;
  // A later query overtakes this one: what this one reads then is drawn nowhere.
  p.stale = () => run !== refreshing;
  document.body.classList.add('loading');
  $('board').setAttribute('aria-busy', 'true');
  try {
    await Promise.all([figures(p), report(p), ...CHARTS.map((chart) => draw(chart, p))]);
    if (run === refreshing) $('board').dataset.loaded = `${p.from}..${p.to}@${p.asOf || 'now'}`;
  } catch (e) {
    if (e.status === 401) {
      expired();
      return;
    }
    error.textContent = explain(e);
  } finally {
    if (run === refreshing) {
      document.body.classList.remove('loading');
      $('board').removeAttribute('aria-busy');
    }
  }
}

// ---- key figures ----------------------------------------------------------------------

async function figures(p) {
  const base = { from: p.from, to: p.to, as_of: p.asOf };
  const [summary, queue] = await Promise.all([p.summary, api(`/stats/queue?${query(base)}`, { token })]);
  // People waiting are a figure of now: asked as of a past day, ask today's line apart.
  let waiting = summary;
  if (summary.waiting_now === null || summary.waiting_now === undefined) {
    const { today } = await p.warnings;
    waiting = await api(`/stats/summary?${query({ from: today, to: today })}`, { token });
  }
  if (p.stale()) return;
  $('tile-received').textContent = number(summary.received);
  $('tile-received-note').textContent = `即办件 ${number(summary.immediate)}，承诺件 ${number(summary.committed)}`;
  $('tile-completed').textContent = number(summary.completed);
  $('tile-completed-note').textContent = `在办 ${number(summary.open)}，超期未办结 ${number(summary.overdue_open)}`;
  $('tile-on-time').textContent = percent(summary.on_time_rate);
  $('tile-on-time-note').textContent = `按时办结 ${number(summary.completed_on_time)} 件`;
  $('tile-satisfaction').textContent = percent(summary.ratings?.satisfaction_rate);
  $('tile-satisfaction-note').textContent = summary.ratings?.count
    ? `评价 ${number(summary.ratings.count)} 次，平均 ${summary.ratings.mean.toFixed(1)} 分`
    : '暂无评价';
  $('tile-waiting').textContent = number(waiting.waiting_now);
  $('tile-waiting-note').textContent = waiting.longest_wait_seconds
    ? `最长已等 ${minutes(waiting.longest_wait_seconds)}`
    : '现在';
  $('tile-wait').textContent = minutes(queue.total?.mean_wait_seconds);
  $('tile-wait-note').textContent = `取号 ${number(queue.total?.issued)} 张，过号率 ${percent(queue.total?.no_show_rate)}`;
}

// ---- the yearly report ------------------------------------------------------------------

async function report(p) {
  const year = p.to.slice(0, 4);
  const { today } = await p.warnings;
  // The report counts to a day that has ended or is today: the earliest of the three.
  const through = [p.to, p.asOf || p.to, today].sort()[0];
  const box = $('report-text');
  if (through.slice(0, 4) !== year) {
    box.replaceChildren(el('p', { class: 'hint' }, `${year}年尚未开始，暂无报告`));
    return;
  }
  let text;
  try {
    text = await api(`/reports/${year}?${query({ through, format: 'md' })}`, {
      token,
      headers: { Accept: 'text/markdown' },
    });
  } catch (e) {
    if (e.status === 401) throw e;
    if (!p.stale()) box.replaceChildren(el('p', { class: 'hint' }, `无法生成${year}年报告：${explain(e)}`));
    return;
  }
  if (p.stale()) return;
  // The report's prose, as it prints: its paragraphs, without the heading and the table.
  const paragraphs = String(text)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#') && !line.startsWith('|'));
  box.replaceChildren(...paragraphs.map((line) => el('p', {}, line)));
}

// ---- charts -------------------------------------------------------------------------------

const charts = new Map();

const BY_LABEL = { department: '部门', window: '窗口', item: '事项' };

/** Received per day or month (of receipt) beside completed per day or month (of effect). */
function series(by, title) {
  return {
    id: `per-${by}`,
    title,
    async load(p) {
      const base = { by, from: p.from, to: p.to, as_of: p.asOf };
      const [received, completed] = await Promise.all([
        api(`/stats/breakdown?${query(base)}`, { token }),
        api(`/stats/breakdown?${query({ ...base, basis: 'completed' })}`, { token }),
      ]);
      const done = new Map(completed.groups.map((g) => [g.key, g.completed]));
      const rows = received.groups.map((g) => [g.label, g.received, done.get(g.key) ?? 0]);
      return {
        columns: [by === 'day' ? '日期' : '月份', '受理', '办结'],
        rows,
        option: {
          tooltip: { renderMode: 'richText', trigger: 'axis' },
          legend: { data: ['受理', '办结'] },
          grid: { left: 56, right: 24, top: 40, bottom: by === 'day' ? 64 : 40 },
          xAxis: { type: 'category', data: rows.map((r) => r[0]) },
          yAxis: { type: 'value', name: '件' },
          dataZoom: by === 'day' ? [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 12 }] : undefined,
          series: [
            { name: '受理', type: by === 'day' ? 'line' : 'bar', data: rows.map((r) => r[1]), color: BLUE, showSymbol: false },
            { name: '办结', type: by === 'day' ? 'line' : 'bar', data: rows.map((r) => r[2]), color: GREEN, showSymbol: false },
          ],
        },
      };
    },
  };
}

/** The top N of departments, windows or items by volume, with their on-time rate. */
function ranking(by) {
  return {
    id: `by-${by}`,
    title: `各${BY_LABEL[by]}受理量与按时办结率（前 N 名）`,
    async load(p) {
      const answer = await api(
        `/stats/breakdown?${query({ by, from: p.from, to: p.to, as_of: p.asOf, sort: 'received', order: 'desc', limit: p.top })}`,
        { token },
      );
      const rows = answer.groups.map((g) => [
        g.label,
        g.received,
        g.completed,
        g.on_time_rate === null ? null : Math.round(g.on_time_rate * 1000) / 10,
      ]);
      const shown = [...rows].reverse();
      return {
        columns: [BY_LABEL[by], '受理', '办结', '按时办结率(%)'],
        rows,
        option: {
          tooltip: { renderMode: 'richText', trigger: 'axis', axisPointer: { type: 'shadow' } },
          legend: { data: ['受理', '按时办结率'] },
          grid: { left: 8, right: 48, top: 40, bottom: 32, containLabel: true },
          yAxis: {
            type: 'category',
            data: shown.map((r) => r[0]),
            axisLabel: { width: 150, overflow: 'truncate' },
          },
          xAxis: [
            { type: 'value', name: '件', position: 'bottom' },
            { type: 'value', name: '%', min: 0, max: 100, position: 'top' },
          ],
          series: [
            { name: '受理', type: 'bar', data: shown.map((r) => r[1]), color: BLUE },
            {
              name: '按时办结率',
              type: 'line',
              xAxisIndex: 1,
              data: shown.map((r) => r[3]),
              color: ORANGE,
            },
          ],
        },
      };
    },
  };
}

const CHARTS = [
  series('day', '每日受理与办结'),
  series('month', '每月受理与办结'),
  ranking('department'),
  ranking('window'),
  ranking('item'),
  {
    id: 'warnings',
    title: '在办件预警（电子监察，当前）',
    async load(p) {
      const answer = await p.warnings;
      const t = answer.total;
      const rows = [
        ['正常', t.none],
        ['黄牌', t.yellow],
        ['红牌', t.red],
        ['容缺材料逾期', t.overdue_materials],
      ];
      return {
        columns: ['预警', '在办件'],
        rows,
        note: `截至 ${answer.today}，在办 ${number(t.open)} 件`,
        option: {
          tooltip: { renderMode: 'richText', trigger: 'axis', axisPointer: { type: 'shadow' } },
          grid: { left: 56, right: 24, top: 24, bottom: 32 },
          xAxis: { type: 'category', data: rows.map((r) => r[0]) },
          yAxis: { type: 'value', name: '件', minInterval: 1 },
          series: [
            {
              name: '在办件',
              type: 'bar',
              data: rows.map((r, i) => ({ value: r[1], itemStyle: { color: [GREEN, '#a16207', RED, GREY][i] } })),
              label: { show: true, position: 'top' },
            },
          ],
        },
      };
    },
  },
  {
    id: 'ratings',
    title: '好差评分布',
    async load(p) {
      const summary = await p.summary;
      const levels = summary.ratings?.levels || [];
      const rows = levels.map((l) => [`${l.score} 分 ${l.label}`, l.count]);
      return {
        columns: ['评价', '次数'],
        rows,
        option: {
          tooltip: { renderMode: 'richText', trigger: 'axis', axisPointer: { type: 'shadow' } },
          grid: { left: 56, right: 24, top: 24, bottom: 32, containLabel: true },
          xAxis: { type: 'category', data: rows.map((r) => r[0]), axisLabel: { interval: 0 } },
          yAxis: { type: 'value', name: '次' },
          series: [
            {
              name: '次数',
              type: 'bar',
              data: levels.map((l) => ({ value: l.count, itemStyle: { color: l.score >= 4 ? GREEN : l.score === 3 ? GREY : RED } })),
              label: { show: true, position: 'top' },
            },
          ],
        },
      };
    },
  },
  {
    id: 'waits',
    title: '各时段取号量与平均等候时间',
    async load(p) {
      const answer = await api(`/stats/queue?${query({ by: 'hour', from: p.from, to: p.to, as_of: p.asOf })}`, { token });
      // Office hours always, and any other hour in which someone took a ticket.
      const groups = answer.groups.filter((g) => g.issued > 0 || (g.key >= '08' && g.key <= '17'));
      const rows = groups.map((g) => [
        g.label,
        g.issued,
        g.mean_wait_seconds === null ? null : Math.round(g.mean_wait_seconds / 6) / 10,
      ]);
      return {
        columns: ['时段', '取号', '平均等候(分钟)'],
        rows,
        option: {
          tooltip: { renderMode: 'richText', trigger: 'axis' },
          legend: { data: ['取号', '平均等候'] },
          grid: { left: 56, right: 56, top: 40, bottom: 32 },
          xAxis: { type: 'category', data: rows.map((r) => r[0]) },
          yAxis: [
            { type: 'value', name: '张' },
            { type: 'value', name: '分钟', splitLine: { show: false } },
          ],
          series: [
            { name: '取号', type: 'bar', data: rows.map((r) => r[1]), color: BLUE },
            { name: '平均等候', type: 'line', yAxisIndex: 1, data: rows.map((r) => r[2]), color: ORANGE },
          ],
        },
      };
    },
  },
];

/** The card of `chart`, made once: title, drawing area, note and the CSV button. */
function card(chart) {
  let entry = charts.get(chart.id);
  if (entry) return entry;
  const area = el('div', { class: 'chart-area', id: `chart-${chart.id}`, role: 'img', 'aria-label': chart.title });
  const note = el('p', { class: 'chart-note' });
  const button = el('button', { type: 'button', class: 'csv', 'aria-label': `下载 CSV：${chart.title}` }, '下载 CSV');
  const figure = el(
    'figure',
    { class: 'chart-card', 'data-chart': chart.id },
    el('figcaption', {}, el('h3', {}, chart.title), button),
    area,
    note,
  );
  $('charts').append(figure);
  entry = { figure, area, note, button, instance: null, data: null };
  button.addEventListener('click', () => download(chart, entry));
  charts.set(chart.id, entry);
  return entry;
}

async function draw(chart, p) {
  const entry = card(chart);
  const drawn = await chart.load(p);
  if (p.stale()) return;
  entry.data = drawn;
  if (!entry.instance) {
    entry.instance = window.echarts.init(entry.area, null, { renderer: 'canvas', locale: 'ZH' });
  }
  // Tooltips are drawn on the canvas (each chart's `renderMode: 'richText'`): ECharts' HTML
  // tooltips are markup with style attributes, which the page's policy refuses.
  entry.instance.setOption(
    { aria: { enabled: true }, animation: false, textStyle: { fontFamily: 'sans-serif' }, ...drawn.option },
    true,
  );
  entry.note.textContent = drawn.note || (drawn.rows.length ? '' : '本期间没有数据');
  entry.figure.dataset.rows = String(drawn.rows.length);
}

function csvCell(value) {
  if (value === null || value === undefined) return '';
  // A name that starts like a formula (=, +, -, @) would be run by a spreadsheet: it is
  // written as text. Figures are numbers and stay as they are.
  const text = typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The rows the chart drew, as CSV (UTF-8 with a byte-order mark, so that Excel reads it). */
function download(chart, entry) {
  if (!entry.data) return;
  const lines = [entry.data.columns, ...entry.data.rows].map((row) => row.map(csvCell).join(','));
  const blob = new Blob(['\ufeff', lines.join('\r\n'), '\r\n'], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const p = period();
  const link = el('a', { href: url, download: `${chart.id}_${p.from}_${p.to}.csv`, class: 'hidden-link' });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  toast('已生成 CSV 文件');
}

// ---- start ----------------------------------------------------------------------------------

window.addEventListener('resize', () => {
  for (const entry of charts.values()) entry.instance?.resize();
});

$('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  signIn(TOKEN_KEY, (signedIn) => {
    token = signedIn;
    return enter();
  });
});
$('sign-out').addEventListener('click', signOut);
$('period').addEventListener('submit', refresh);

function start() {
  if (token) {
    enter().catch((e) => (e.status === 401 ? expired() : toast(explain(e), 'error')));
  } else {
    $('username').focus();
  }
}

// ECharts is a classic deferred script: it has run before this module, but be sure.
if (window.echarts) start();
else window.addEventListener('load', start);
