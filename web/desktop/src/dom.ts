// A few DOM helpers, so the screens read as markup: h() builds an element,
// field() a labelled input with its hint and inline error.

type Attrs = Record<string, string | boolean | number | undefined | ((e: Event) => void)>;
type Child = Node | string | null | undefined | false;

/** h builds an element: attributes (on* become listeners), then children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, ...children);
  return el;
}

export function append(el: Element, ...children: Child[]): void {
  for (const c of children) if (c) el.append(c);
}

let nextId = 0;
/** uid makes an element id for label/aria references. */
export function uid(prefix: string): string {
  return `${prefix}-${++nextId}`;
}

/** A labelled control with an optional hint and a slot for its inline error. */
export interface Field {
  wrap: HTMLDivElement;
  input: HTMLInputElement | HTMLSelectElement;
  setError(message: string | null): void;
}

export function field(label: string, input: HTMLInputElement | HTMLSelectElement, hint?: string): Field {
  input.id ||= uid('f');
  const hintEl = hint ? h('p', { class: 'hint', id: uid('hint') }, hint) : null;
  const errorEl = h('p', { class: 'field-error', id: uid('err'), hidden: true });
  const describedBy = [hintEl?.id, errorEl.id].filter(Boolean).join(' ');
  input.setAttribute('aria-describedby', describedBy);
  const wrap = h('div', { class: 'field' }, h('label', { for: input.id }, label), input, hintEl, errorEl);
  return {
    wrap,
    input,
    setError(message) {
      errorEl.textContent = message ?? '';
      errorEl.hidden = !message;
      if (message) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    },
  };
}

/** A message area for a form: role=alert reads errors out when they appear. */
export function alertBox(): { el: HTMLDivElement; show(message: string | null, kind?: 'error' | 'info'): void } {
  const el = h('div', { class: 'alert', role: 'alert', hidden: true });
  return {
    el,
    show(message, kind = 'error') {
      el.textContent = message ?? '';
      el.hidden = !message;
      el.className = `alert alert-${kind}`;
    },
  };
}

/** A warning triangle drawn inline (no image request, nothing for the CSP to allow). */
export function warningIcon(label: string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '20');
  svg.setAttribute('height', '20');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.classList.add('icon-warning');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', 'M12 2 1 21h22L12 2zm1 15h-2v2h2v-2zm0-7h-2v5h2v-5z');
  svg.append(path);
  return svg;
}

/** busy disables a form's controls while a call runs, and re-enables them after. */
export async function busy<T>(form: HTMLElement, run: () => Promise<T>): Promise<T> {
  const controls = [...form.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLSelectElement>('button, input, select')];
  const was = controls.map((c) => c.disabled);
  controls.forEach((c) => (c.disabled = true));
  form.setAttribute('aria-busy', 'true');
  try {
    return await run();
  } finally {
    controls.forEach((c, i) => (c.disabled = was[i]));
    form.removeAttribute('aria-busy');
  }
}

/** debounce waits until calls stop for ms before running fn. */
export function debounce<A extends unknown[]>(fn: (...a: A) => void, ms: number): (...a: A) => void {
  let t: number | undefined;
  return (...a: A) => {
    clearTimeout(t);
    t = window.setTimeout(() => fn(...a), ms);
  };
}

/** noticeBox shows a notice (role=status), with the warning icon for warnings. */
export function noticeBox(notice: { text: string; warning?: boolean } | null, warningLabel: string): HTMLElement | null {
  if (!notice) return null;
  return h(
    'div',
    { class: notice.warning ? 'notice notice-warning' : 'notice', role: 'status' },
    notice.warning ? warningIcon(warningLabel) : null,
    h('span', {}, notice.text),
  );
}

/** An option of a searchable drop-down. */
export interface Choice {
  value: string;
  label: string;
}

/**
 * searchableSelect is a drop-down with a search field above it: typing
 * reloads the options (load asks the server with its filter) and keeps the
 * chosen one when it still matches.
 */
export function searchableSelect(opts: {
  searchLabel: string;
  selectLabel: string;
  emptyLabel: string;
  load: (filter: string) => Promise<Choice[]>;
  selected?: string;
  name: string;
}): { wrap: HTMLElement; select: HTMLSelectElement; search: HTMLInputElement; field: Field; ready: Promise<void> } {
  const search = h('input', { type: 'search', name: `${opts.name}-search`, autocomplete: 'off' });
  const select = h('select', { name: opts.name });
  const searchField = field(opts.searchLabel, search);
  const selectField = field(opts.selectLabel, select);
  let wanted = opts.selected ?? '';
  let seq = 0;
  const fill = async (filter: string) => {
    const mine = ++seq;
    const choices = await opts.load(filter);
    if (mine !== seq) return; // a newer search answered first
    const keep = choices.some((c) => c.value === wanted) ? wanted : (choices[0]?.value ?? '');
    select.replaceChildren(
      ...(choices.length ? choices.map((c) => h('option', { value: c.value }, c.label)) : [h('option', { value: '', disabled: true }, opts.emptyLabel)]),
    );
    select.value = keep;
    select.dispatchEvent(new Event('change'));
  };
  select.addEventListener('change', () => {
    if (select.value) wanted = select.value;
  });
  search.addEventListener('input', debounce(() => void fill(search.value.trim()).catch(() => {}), 200));
  const wrap = h('div', { class: 'searchable' }, searchField.wrap, selectField.wrap);
  return { wrap, select, search, field: selectField, ready: fill('') };
}
