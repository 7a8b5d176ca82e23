// The Dashboard's one script: rows that open their page, forms that ask first, and the
// pages following new requests.
// Live: when the server answers new API requests, the page is redrawn (unless the
// developer is typing in it).
(function () {
  var seen = +document.getElementById('main').getAttribute('data-seq');
  function busy() { var a = document.activeElement; return a && /INPUT|SELECT|TEXTAREA/.test(a.tagName); }
  // Forms that ask first (deleting an endpoint).
  document.addEventListener('submit', function (e) {
    var ask = e.target.getAttribute('data-confirm');
    if (ask && !window.confirm(ask)) e.preventDefault();
  });
  document.addEventListener('click', function (e) {
    var tr = e.target.closest('tr[data-href]');
    if (tr && !e.target.closest('a,button,form')) window.location = tr.getAttribute('data-href');
  });
  setInterval(function () {
    if (document.hidden || busy()) return;
    fetch('/dashboard/poll', {credentials: 'same-origin'}).then(function (r) { return r.ok ? r.json() : null; }).then(function (p) {
      if (!p || p.seq === seen) return;
      // The page as it is now; a page that cannot be fetched again (an answer to a form,
      // an ended session) stays as it is.
      return fetch(window.location.href, {credentials: 'same-origin', redirect: 'manual'}).then(function (r) {
        if (!r.ok) { seen = p.seq; return; }
        return r.text().then(function (html) {
          var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('main');
          if (fresh && !busy()) document.getElementById('main').innerHTML = fresh.innerHTML;
          seen = p.seq;
        });
      });
    }).catch(function () {});
  }, 2000);
})();
