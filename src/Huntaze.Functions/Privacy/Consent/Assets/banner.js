// Huntaze consent banner: one ES module, no framework, no third-party request. It asks for consent when the API
// says so (no choice yet, or a new policy version), lets the person reject or accept everything with equally
// prominent buttons or choose per category, records the choice with PUT /api/consent (CSRF token from
// GET /api/csrf), and can be reopened (its "Privacy choices" button, or any element with data-consent-open).
// The choice in force is announced as a "huntaze:consent" event on document, and forwarded to gtag() when the page
// has it: detail.consentMode holds the Google Consent Mode v2 signals.
const api = new URL('../consent', import.meta.url);
const csrf = new URL('../csrf', import.meta.url);
const CATEGORIES = [
  ['necessary', 'Necessary', 'Needed for the site to work and to remember this choice. Always on.'],
  ['analytics', 'Analytics', 'Helps us see how onboarding is used, so we can improve it. No advertising.'],
  ['marketing', 'Marketing', 'Lets us measure and tailor advertising, with our advertising partners.'],
  ['personalization', 'Personalization', 'Tailors features and experiments to you.'],
];

let state = null;
let root, dialog, cats, message, reopen, customize, save, returnFocus;

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key in node && typeof value !== 'string') node[key] = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

// How long the banner waits for its stylesheet before showing anyway: unstyled beats never asking for consent.
const STYLE_WAIT_MS = 3000;

/** Settles once the stylesheet has loaded or failed, or after STYLE_WAIT_MS, so the dialog is never shown unstyled. */
function styled(link) {
  // A link already in the page has a sheet once it has loaded (Chromium gives a failed one an empty sheet too). Without
  // one it is still loading and will fire load or error, or it failed without a sheet and the bound applies.
  if (link.sheet) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, STYLE_WAIT_MS);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    link.addEventListener('load', done, { once: true });
    link.addEventListener('error', done, { once: true });
  });
}

/** Builds the banner (hidden) and returns its stylesheet's link. */
function build() {
  let link = document.querySelector('link[data-hzc]');
  if (!link) {
    link = el('link', { rel: 'stylesheet', href: new URL('banner.css', import.meta.url).href, 'data-hzc': '' });
    document.head.append(link);
  }
  cats = el('fieldset', { class: 'hzc-cats', id: 'hzc-cats', hidden: true }, el('legend', { text: 'Choose per category' }));
  for (const [id, name, text] of CATEGORIES) {
    cats.append(el('div', { class: 'hzc-cat' },
      el('input', { type: 'checkbox', id: 'hzc-' + id, name: id, checked: id === 'necessary', disabled: id === 'necessary', 'aria-describedby': 'hzc-' + id + '-d' }),
      el('label', { for: 'hzc-' + id, text: name }),
      el('p', { class: 'hzc-note', id: 'hzc-' + id + '-d', text: text })));
  }
  const button = (act, text, alt) => el('button', { type: 'button', class: alt ? 'hzc-btn hzc-alt' : 'hzc-btn', 'data-act': act, text });
  customize = button('customize', 'Customize', true);
  customize.setAttribute('aria-expanded', 'false');
  customize.setAttribute('aria-controls', 'hzc-cats');
  save = button('save', 'Save choices', true);
  save.hidden = true;
  message = el('p', { class: 'hzc-msg', role: 'status' });
  dialog = el('div', { class: 'hzc', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'hzc-title', 'aria-describedby': 'hzc-desc', tabindex: '-1' },
    el('h2', { id: 'hzc-title', text: 'Your privacy choices' }),
    el('p', { id: 'hzc-desc', text: 'We use cookies and similar data for analytics, marketing and personalization only if you agree. '
      + 'Reject or accept all, or choose per category. You can change your mind at any time with "Privacy choices".' }),
    cats, message,
    el('div', { class: 'hzc-actions' }, button('reject', 'Reject all'), button('accept', 'Accept all'), customize, save));
  root = el('div', { class: 'hzc-backdrop', hidden: true }, dialog);
  reopen = el('button', { type: 'button', class: 'hzc-reopen', hidden: true, 'data-consent-open': '', text: 'Privacy choices' });
  document.body.append(root, reopen);

  dialog.addEventListener('click', onAction);
  dialog.addEventListener('keydown', onKey);
  document.addEventListener('focusin', (event) => {
    if (!root.hidden && !dialog.contains(event.target)) focusables()[0].focus();
  });
  document.addEventListener('click', (event) => {
    if (event.target instanceof Element && event.target.closest('[data-consent-open]')) open();
  });
  return link;
}

function focusables() {
  return [...dialog.querySelectorAll('button, input')].filter((n) => !n.disabled && !n.hidden && !n.closest('[hidden]'));
}

function onKey(event) {
  if (event.key === 'Escape' && state?.record) {
    close();
  } else if (event.key === 'Tab') {
    const items = focusables();
    const first = items[0];
    const last = items[items.length - 1];
    if (event.shiftKey && (document.activeElement === first || document.activeElement === dialog)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }
}

function onAction(event) {
  const act = event.target instanceof Element && event.target.closest('[data-act]')?.getAttribute('data-act');
  if (act === 'reject') record(false, false, false);
  else if (act === 'accept') record(true, true, true);
  else if (act === 'customize') showCategories(cats.hidden);
  else if (act === 'save') record(...['analytics', 'marketing', 'personalization'].map((id) => dialog.querySelector('#hzc-' + id).checked));
}

function showCategories(show) {
  cats.hidden = !show;
  save.hidden = !show;
  customize.setAttribute('aria-expanded', String(show));
  if (show) dialog.querySelector('#hzc-analytics').focus();
}

async function record(analytics, marketing, personalization, retried) {
  message.textContent = 'Saving…';
  try {
    const token = await (await fetch(csrf, { credentials: 'include' })).json();
    const response = await fetch(api, {
      method: 'PUT',
      credentials: 'include',
      headers: { 'Content-Type': 'application/json', [token.headerName]: token.token },
      body: JSON.stringify({ policyVersion: state.policyVersion, source: 'banner', categories: { necessary: true, analytics, marketing, personalization } }),
    });
    if (response.status === 400 && !retried && (await response.clone().json()).type?.endsWith('/consent-cookie-unknown')) {
      return record(analytics, marketing, personalization, true);
    }
    if (!response.ok) throw new Error(String(response.status));
    apply(await response.json());
    message.textContent = '';
    close();
  } catch {
    message.setAttribute('role', 'alert');
    message.textContent = 'Your choice could not be saved. Please try again.';
  }
}

function apply(next) {
  state = next;
  for (const [id] of CATEGORIES) dialog.querySelector('#hzc-' + id).checked = next.categories[id];
  if (typeof window.gtag === 'function') window.gtag('consent', 'update', next.consentMode);
  document.dispatchEvent(new CustomEvent('huntaze:consent', { detail: next }));
}

/** Opens the banner (also for a person who has chosen before: the reopen path). */
export function open() {
  if (!root) return;
  returnFocus = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : reopen;
  message.textContent = '';
  message.setAttribute('role', 'status');
  showCategories(Boolean(state?.record));
  root.hidden = false;
  reopen.hidden = true;
  dialog.focus();
}

function close() {
  root.hidden = true;
  reopen.hidden = false;
  (returnFocus && document.contains(returnFocus) && !returnFocus.hidden ? returnFocus : reopen).focus();
}

async function start() {
  const stylesheet = styled(build()); // waited for alongside the consent state, not after it
  try {
    const response = await fetch(api, { credentials: 'include' });
    if (!response.ok) throw new Error(String(response.status));
    apply(await response.json());
  } catch {
    state = { ask: true, policyVersion: null, categories: { necessary: true } };
  }
  await stylesheet;
  if (state.ask) open();
  else reopen.hidden = false;
  document.documentElement.setAttribute('data-hzc-ready', '');
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
