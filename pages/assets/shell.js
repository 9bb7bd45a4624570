// The page shell: what only the browser can do, installed once per tab by pages/common.shell().
// - Back/Forward return to the scroll position a view was left at (Streamlit redraws the page
//   in place, so the browser's own restoration has nothing to restore).
// - A view reached by one click is one history entry: when a navigation first pushes the new
//   query on the old path (Streamlit does so for st.switch_page) and then the new path with
//   that query, the second push replaces the first.
// - Enter in a date field applies the date (the field commits it only when focus moves on).
// - Links to the app's own pages inside text (author names) open in the same tab.
// - data.top changes when the page asks to show its top (a new page of results).
const SCROLLER = '[data-testid="stMain"]';
const RUNNING = '[data-testid="stStatusWidget"]';
const KEY = "papers.scroll.";

function scroller() {
  return document.querySelector(SCROLLER);
}

function install() {
  const shell = { href: location.href, lastPush: 0, pushedFrom: null, userScrolled: 0 };
  window.__papersShell = shell;
  const save = (href) => {
    const box = scroller();
    if (box) sessionStorage.setItem(KEY + href, String(Math.round(box.scrollTop)));
  };
  // Before anything a click or a key may start, remember where this view is scrolled.
  for (const type of ["pointerdown", "keydown"]) {
    document.addEventListener(type, () => save(location.href), true);
  }
  for (const type of ["wheel", "touchmove", "keydown"]) {
    document.addEventListener(type, () => { shell.userScrolled = performance.now(); }, { capture: true, passive: true });
  }

  const push = history.pushState.bind(history);
  const replace = history.replaceState.bind(history);
  history.pushState = (state, title, url) => {
    const target = new URL(url, location.href);
    const now = performance.now();
    const second = shell.pushedFrom !== null && now - shell.lastPush < 2000 && target.search !== ""
      && target.search === location.search && target.pathname !== location.pathname
      && new URL(shell.pushedFrom).pathname === location.pathname;
    if (second) {
      shell.pushedFrom = null;
      replace(state, title, url);
    } else {
      // (no save here: the page being left may already be cleared; pointerdown/keydown saved it)
      shell.lastPush = now;
      shell.pushedFrom = location.href;
      push(state, title, url);
    }
    shell.href = location.href;
  };
  history.replaceState = (state, title, url) => {
    replace(state, title, url);
    shell.href = location.href;
  };
  window.addEventListener("popstate", () => {
    save(shell.href); // the view being left is still on screen: its position is the one to keep
    shell.href = location.href;
    shell.pushedFrom = null;
    const saved = sessionStorage.getItem(KEY + location.href);
    restore(saved === null ? 0 : Number(saved));
  });

  // Enter applies a typed date: the field commits when focus moves to another element outside
  // it and its calendar (a plain blur() does not do it), so focus moves to a passing sink.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target instanceof Element
        && event.target.closest('[data-testid="stDateInputField"]')) {
      const sink = document.createElement("div");
      sink.tabIndex = -1;
      document.body.appendChild(sink);
      sink.focus();
      sink.remove();
    }
  }, true);

  // Markdown opens every link in a new tab; one to the app's own pages (an author's papers)
  // opens in this one, unless the reader asks for a new tab (Ctrl, Cmd, Shift, middle button).
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element && event.target.closest('a[target="_blank"]');
    if (link && link.origin === location.origin && event.button === 0
        && !event.ctrlKey && !event.metaKey && !event.shiftKey && !event.altKey) {
      event.preventDefault();
      event.stopPropagation();
      location.assign(link.href);
    }
  }, true);
}

// Scroll to `top` once the page has been drawn again: retried while Streamlit runs the page
// and its charts settle, until the position holds, the user scrolls, or 5 s pass.
function restore(top) {
  const shell = window.__papersShell;
  const started = performance.now();
  let heldSince = null;
  const tick = () => {
    const box = scroller();
    const now = performance.now();
    if (!box || shell.userScrolled > started || now - started > 5000) return;
    if (Math.abs(box.scrollTop - top) > 2) {
      box.scrollTop = top;
      heldSince = null;
    } else if (heldSince === null) {
      heldSince = now;
    }
    const settled = heldSince !== null && now - heldSince > 500 && !document.querySelector(RUNNING);
    if (!settled) setTimeout(tick, 50);
  };
  tick();
}

export default function ({ data }) {
  if (data && data.forget) document.cookie = `${data.forget}=; path=/; max-age=0; samesite=lax`;
  if (!window.__papersShell) install();
  const shell = window.__papersShell;
  const top = (data && data.top) || 0;
  if (shell.top === undefined) {
    shell.top = top; // the first view of this tab: nothing to move
  } else if (top !== shell.top) {
    shell.top = top;
    restore(0);
  }
}
