document.querySelectorAll('.wa-copy').forEach(function (button) {
  button.hidden = false;
  button.addEventListener('click', function () {
    var text = button.parentElement.querySelector('code').textContent;
    navigator.clipboard.writeText(text).then(function () {
      button.textContent = button.dataset.done || '✓';
    });
  });
});
window.addEventListener('beforeprint', function () {
  document.querySelectorAll('details.wa-alternative, .wa-not-checked details').forEach(function (d) { d.open = true; });
});
