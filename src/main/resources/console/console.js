// Auto-refresh of the requests list: every 5 s, while the box is ticked and the tab is visible, the counts and
// rows are fetched again as server-rendered (escaped) HTML. Only on the newest page: older pages stay put.
document.addEventListener('DOMContentLoaded', () => {
  const box = document.getElementById('autorefresh');
  const live = document.getElementById('live');
  if (!box || !live) {
    return;
  }
  const url = new URL(window.location.href);
  if (url.searchParams.has('after')) {
    box.checked = false;
    box.disabled = true;
    return;
  }
  box.checked = window.localStorage.getItem('plumber.autorefresh') !== 'off';
  box.addEventListener('change', () => {
    window.localStorage.setItem('plumber.autorefresh', box.checked ? 'on' : 'off');
  });
  url.searchParams.set('fragment', 'live');
  window.setInterval(async () => {
    if (!box.checked || document.hidden) {
      return;
    }
    try {
      const response = await fetch(url, {credentials: 'same-origin', redirect: 'error'});
      if (response.ok) {
        live.innerHTML = await response.text();
      }
    } catch (e) {
      // Offline or logged out: the next tick tries again; a reload shows the log-in page.
    }
  }, 5000);
});
