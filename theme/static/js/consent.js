/*
 * Cookie consent for the JTec site (UK PECR). Our own small script, no dependencies.
 * Google Consent Mode v2 defaults are "denied"; Google Analytics loads only after the
 * visitor accepts; withdrawing deletes the _ga* cookies and stops analytics from the next
 * page load. With JavaScript off nothing here runs: no banner, no analytics.
 */
(function () {
  "use strict";

  var STORAGE_KEY = "jtec_cookie_consent";
  var ANALYTICS_URL = "https://www.googletagmanager.com/gtag/js?id=";
  var thisScript = document.currentScript;
  var measurementId = thisScript ? thisScript.getAttribute("data-ga-id") : "";

  var WORDS = { accepted: "You have accepted analytics cookies.", rejected: "You have rejected analytics cookies." };

  function byId(id) { return document.getElementById(id); }

  function each(selector, root, action) { Array.prototype.forEach.call(root.querySelectorAll(selector), action); }

  window.dataLayer = window.dataLayer || [];
  function gtag() { window.dataLayer.push(arguments); }
  gtag("consent", "default", {
    ad_storage: "denied",
    ad_user_data: "denied",
    ad_personalization: "denied",
    analytics_storage: "denied"
  });

  // A choice is kept with when it was made and the banner wording it answered. It stands until the
  // banner's wording changes or it is older than the page's data-ask-again-months; then the visitor is
  // asked again, and until they answer it is as if they had never chosen (no analytics). A choice stored
  // before choices were dated (a bare "accepted") is not JSON: asked again too.
  function readChoice() {
    var banner = byId("cookie-banner"), stored, until;
    try { stored = JSON.parse(localStorage.getItem(STORAGE_KEY)) || {}; } catch (e) { return null; }
    until = new Date(stored.at);
    until.setMonth(until.getMonth() + Number(banner.getAttribute("data-ask-again-months")));
    return stored.wording === banner.getAttribute("data-wording-id") && new Date() < until ? stored.choice : null;
  }

  function saveChoice(choice) {
    var wording = byId("cookie-banner").getAttribute("data-wording-id");
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify({ choice: choice, at: new Date(), wording: wording }));
    } catch (e) { /* private mode */ }
  }

  function loadAnalytics() {
    if (!measurementId || byId("analytics-script")) { return; }
    gtag("consent", "update", { analytics_storage: "granted" });
    gtag("js", new Date());
    // Google signals and ad personalisation off: the privacy policy says so (tests hold the two together).
    gtag("config", measurementId, { allow_google_signals: false, allow_ad_personalization_signals: false });
    var script = document.createElement("script");
    script.id = "analytics-script";
    script.async = true;
    script.src = ANALYTICS_URL + encodeURIComponent(measurementId);
    document.head.appendChild(script);
  }

  function deleteAnalyticsCookies() {
    var hostParts = window.location.hostname.split(".");
    var domains = [""];
    for (var i = 0; i < hostParts.length - 1; i++) {
      domains.push("; domain=." + hostParts.slice(i).join("."));
    }
    // The names come from the page (the same list as the cookies page); "*" ends a prefix.
    var patterns = ((thisScript && thisScript.getAttribute("data-cookies")) || "").split(" ").filter(Boolean);
    function analyticsCookie(name) {
      return patterns.some(function (pattern) {
        return pattern.slice(-1) === "*" ? name.indexOf(pattern.slice(0, -1)) === 0 : name === pattern;
      });
    }
    document.cookie.split(";").forEach(function (pair) {
      var name = pair.split("=")[0].trim();
      if (analyticsCookie(name)) {
        domains.forEach(function (domain) {
          document.cookie = name + "=; max-age=0; path=/" + domain;
        });
      }
    });
  }

  // The banner is fixed to the bottom of the screen: showing it moves nothing on the page. While it is
  // open the page is padded by its height (added below everything, so nothing shifts), so the end of
  // the page can still be scrolled into view above it.
  function reserveSpace() {
    var banner = byId("cookie-banner");
    document.body.style.paddingBottom = banner.hidden ? "" : banner.offsetHeight + "px";
  }

  function showBanner(answered) {
    var banner = byId("cookie-banner");
    // The answer is shorter than the question: keep the banner's height, so its top edge stays put.
    banner.style.minHeight = answered && !banner.hidden ? banner.offsetHeight + "px" : "";
    byId("cookie-question").hidden = answered;
    byId("cookie-answer").hidden = !answered;
    banner.hidden = false;
    reserveSpace();
  }

  function hideBanner() {
    byId("cookie-banner").hidden = true;
    reserveSpace();
  }

  // The answer replaces the question in the banner (the GOV.UK pattern) and takes the focus, so a
  // screen reader hears it; "Hide this message" closes the banner.
  function announce(message) {
    var status = byId("consent-status");
    status.textContent = message;
    showBanner(true);
    status.focus();
  }

  // Pages that say what the visitor has chosen (the cookies page) have [data-consent-current].
  function showChoice(choice) {
    each("[data-consent-current]", document, function (element) {
      element.textContent = WORDS[choice] || "You have not chosen yet: no analytics cookies are set.";
    });
  }

  function choose(choice) {
    saveChoice(choice);
    showChoice(choice);
    if (choice === "accepted") {
      loadAnalytics();
      announce(WORDS.accepted + " You can change your cookie settings at any time.");
    } else {
      gtag("consent", "update", { analytics_storage: "denied" });
      deleteAnalyticsCookies();
      announce(WORDS.rejected + " You can change your cookie settings at any time.");
    }
  }

  function openSettings(event) {
    event.preventDefault();
    showBanner(false);
    byId("cookie-banner-title").focus();
  }

  function start() {
    var banner = byId("cookie-banner");
    if (!banner) { return; }
    var choice = readChoice();
    showChoice(choice);
    if (choice === "accepted") {
      loadAnalytics();
    } else {
      deleteAnalyticsCookies();
      if (choice !== "rejected") { showBanner(false); }
    }
    window.addEventListener("resize", reserveSpace);
    banner.querySelector("[data-consent-hide]").addEventListener("click", function () {
      hideBanner();
      byId("main").focus();
    });
    each("[data-consent]", banner, function (button) {
      button.addEventListener("click", function () { choose(button.getAttribute("data-consent")); });
    });
    each("[data-cookie-settings]", document, function (control) {
      control.hidden = false;
      control.addEventListener("click", openSettings);
    });
  }

  start();
}());
