// Counts script errors and blocked requests where a headless browser's DOM dump can read them.
window.addEventListener('error', function (e) {
  document.body.dataset.errors = String(Number(document.body.dataset.errors) + 1);
  document.body.dataset.lastError = String(e.message);
});
document.addEventListener('securitypolicyviolation', function (e) {
  document.body.dataset.violations = String(Number(document.body.dataset.violations) + 1);
  document.body.dataset.lastViolation = String(e.blockedURI);
});
