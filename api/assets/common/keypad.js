// An on-screen keypad for touch screens: fills the input it is bound to, no keyboard needed.
import { el } from './api.js';

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];

/**
 * A keypad writing into `input`. `letters` adds a row of the letters case numbers and
 * booking codes use. `onEnter` runs on 确定; `label` names the keypad for screen readers.
 */
export function keypad(input, { letters = '', onEnter, label = '键盘' } = {}) {
  const press = (key) => () => {
    if (key === 'back') input.value = input.value.slice(0, -1);
    else if (key === 'clear') input.value = '';
    else if (key === 'enter') {
      if (onEnter) onEnter();
      return;
    } else if (!input.maxLength || input.maxLength < 0 || input.value.length < input.maxLength) {
      input.value += key;
    }
    input.dispatchEvent(new Event('input', { bubbles: true }));
  };
  const key = (text, value, extra = '') =>
    el('button', { type: 'button', class: `key ${extra}`.trim(), 'data-key': value, onclick: press(value) }, text);
  const pad = el('div', { class: 'keypad', role: 'group', 'aria-label': label });
  for (const d of DIGITS) pad.append(key(d, d));
  pad.append(key('清空', 'clear', 'key-fn'), key('0', '0'), key('退格', 'back', 'key-fn'));
  if (letters) {
    const row = el('div', { class: 'keypad-letters' });
    for (const letter of letters) row.append(key(letter, letter));
    pad.append(row);
  }
  if (onEnter) pad.append(key('确定', 'enter', 'key-enter'));
  return pad;
}
