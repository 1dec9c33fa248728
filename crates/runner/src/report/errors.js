// Runs first: counts script errors on the root element (data-errors, data-error-log), for
// people and for the browser test.
(function () {
  'use strict';
  var root = document.documentElement, errors = 0;
  function count(message) {
    errors += 1;
    root.setAttribute('data-errors', String(errors));
    root.setAttribute('data-error-log', (root.getAttribute('data-error-log') || '') + String(message) + '\n');
  }
  root.setAttribute('data-errors', '0');
  window.addEventListener('error', function (e) { count(e.message || 'error'); });
  window.addEventListener('unhandledrejection', function (e) { count(e.reason || 'rejection'); });
  var original = console.error;
  console.error = function () {
    count(Array.prototype.join.call(arguments, ' '));
    return original.apply(console, arguments);
  };
})();
