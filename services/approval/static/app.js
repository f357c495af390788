/* A disposisi goes to one jabatan or one official: choosing in one list clears the other (the server refuses both,
   and the form opens with the SOP's usual jabatan chosen). */
(function () {
  "use strict";
  var role = document.getElementById("kepada_role");
  var person = document.getElementById("kepada_id");
  if (!role || !person) return;
  person.addEventListener("change", function () { if (person.value) role.value = ""; });
  role.addEventListener("change", function () { if (role.value) person.value = ""; });
})();

/* A refused form comes back with its message next to the field, which on a phone can be screens below where the
   page opens: bring the first message into view and give it the focus, so nobody wonders what happened. */
(function () {
  "use strict";
  var alert = document.querySelector('[role="alert"]');
  if (!alert || !alert.scrollIntoView) return;
  alert.setAttribute("tabindex", "-1");
  alert.scrollIntoView({ block: "center" });
  try { alert.focus({ preventScroll: true }); } catch (e) { alert.focus(); }
})();

/* Lapkin officials' app: what is typed in a textarea survives an expired session, a lost connection or a refused
   form. Each textarea's text is kept in sessionStorage (this tab only), keyed by the form's address and the field, as it is
   typed; it comes back when the page is shown again with the field empty (after logging in again, the login sends
   the official back to the page). A submitted text is forgotten once a page says the form was saved
   (<meta name="lapkin-done">, a redirect's success message). */
(function () {
  "use strict";
  var store;
  try {
    store = window.sessionStorage;
    store.setItem("lapkin-probe", "1");
    store.removeItem("lapkin-probe");
  } catch (e) {
    return; /* storage disabled: the page works as before */
  }
  var PREFIX = "lapkin-draf:";
  var SENT = PREFIX + "terkirim";

  function sent() {
    try {
      var list = JSON.parse(store.getItem(SENT) || "[]");
      return Array.isArray(list) ? list : [];
    } catch (e) {
      return [];
    }
  }
  function setSent(list) {
    if (list.length) store.setItem(SENT, JSON.stringify(list));
    else store.removeItem(SENT);
  }
  function keyOf(field) {
    /* by the form's address, which is the same on the form's page and on the page a refused form comes back on */
    var where = field.form ? (field.form.getAttribute("action") || location.pathname) : location.pathname;
    return PREFIX + where + "|" + (field.id || field.name);
  }

  if (document.querySelector('meta[name="lapkin-done"]')) {
    sent().forEach(function (k) { store.removeItem(k); });
    store.removeItem(SENT);
  }

  var pending = sent();
  Array.prototype.forEach.call(document.querySelectorAll("textarea"), function (field) {
    var key = keyOf(field);
    var kept = store.getItem(key);
    if (kept !== null && !field.value) {
      field.value = kept;
      field.classList.add("restored");
    }
    pending = pending.filter(function (k) { return k !== key; }); /* shown again: not saved yet */
    field.addEventListener("input", function () {
      if (field.value) store.setItem(key, field.value);
      else store.removeItem(key);
    });
    if (field.form) {
      field.form.addEventListener("submit", function () {
        if (!field.value) return;
        store.setItem(key, field.value);
        var list = sent();
        if (list.indexOf(key) < 0) list.push(key);
        setSent(list);
      });
    }
  });
  setSent(pending);
})();
