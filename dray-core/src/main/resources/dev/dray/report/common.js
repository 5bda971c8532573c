// Formatting shared by the report pages: HTML escaping and numbers as people read them.
window.DRAY_FORMAT = (function () {
  'use strict';
  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function num(n) {
    if (n === null || n === undefined) { return ''; }
    if (typeof n !== 'number') { return String(n); }
    return Math.abs(n) >= 1000 || Number.isInteger(n)
      ? Math.round(n).toLocaleString('en-US') : n.toFixed(3).replace(/\.?0+$/, '');
  }

  return { esc: esc, num: num };
})();
