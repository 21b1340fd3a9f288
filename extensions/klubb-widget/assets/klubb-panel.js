/* Klubb panel: the loyalty club's views (guest, signed-in non-member, member), loaded by the
   launcher on first open as a modal dialog, or rendered inline by the loyalty-page block.
   All data comes from the app proxy (/apps/klubb/api/..., same origin, signed by Shopify).
   Merchant and API text only ever goes in through textContent, never as HTML. */
(function () {
  "use strict";
  // The dictionaries are JSON between the markers: tests/widget checks every key is translated.
  var TEXTS = /*i18n*/{
    "en": {
      "title": "Rewards club",
      "close": "Close",
      "loading": "Loading…",
      "error": "Something went wrong. Please try again.",
      "earn_title": "Ways to earn",
      "earn_rate": "Earn {points} for every {money} you spend",
      "earn_signup": "Get {points} when you join",
      "w_signup": "Join the club: {pay}",
      "w_birthday_month": "Your birthday month: {pay}",
      "w_birthday_day": "Your birthday: {pay}",
      "w_follow": "Follow us on {network}: {pay}",
      "w_newsletter": "Sign up for our newsletter: {pay}",
      "done": "Done",
      "new_tab": "opens in a new tab",
      "add_birthday": "Add your birthday",
      "birthday_wait": "A birthday added or changed less than {days} days before it pays from next year.",
      "birthday_code": "Your birthday code: {code}",
      "subscribe": "Sign up",
      "earned": "You earned {points}",
      "rewards_title": "Rewards",
      "guest_join": "Sign in or create an account to join and start earning.",
      "sign_in": "Sign in",
      "register": "Create account",
      "join_text": "Join the club to start earning points.",
      "join": "Join the club",
      "balance": "Your points",
      "next": "{points} to go to {reward}",
      "all_affordable": "You can afford every reward.",
      "redeem": "Redeem",
      "redeem_named": "Redeem {reward}",
      "need_more": "{points} more needed",
      "working": "Creating your code…",
      "code_title": "Your discount code",
      "copy": "Copy code",
      "copied": "Code copied",
      "apply": "Use it in the cart",
      "welcome_title": "Your welcome discount",
      "welcome_text": "{percent} off your first order.",
      "welcome_ends": "Use it by {date}.",
      "welcome_promise": "Join and get {percent} off your first order",
      "welcome_wait": "Your welcome code is on its way…",
      "welcome_ready": "Your welcome code is ready.",
      "returned": "We could not create your code. Your points have been returned.",
      "no_rewards": "No rewards yet.",
      "refund_note": "Points spent on a reward are not returned if the order is refunded.",
      "pt_one": "{n} point",
      "pt_other": "{n} points",
      "off_amount": "{money} off",
      "off_percent": "{percent} off",
      "free_shipping": "Free shipping",
      "free_product": "Free: {product}",
      "gift_card_of": "Gift card of {money}",
      "store_credit_of": "Store credit of {money}",
      "paused_product_deleted": "No longer available",
      "paused_price_changed": "Paused for now",
      "no_return": "Gift cards and store credit cannot be returned for points.",
      "confirm_redeem": "Yes, redeem for {points}",
      "gift_card_title": "Your gift card",
      "gift_card_once": "Copy it now: the full code is shown only this once. Shopify also emails it to you.",
      "credit_added": "{money} of store credit was added to your account.",
      "voucher_card": "Gift card ending in {last}: {money}",
      "voucher_credit": "Store credit: {money}",
      "history": "Points history",
      "no_history": "No points yet.",
      "k_earn": "Purchase",
      "k_refund": "Refund",
      "k_cancel": "Cancelled order",
      "k_redeem": "Reward",
      "k_redeem_return": "Points returned",
      "k_expire": "Expired",
      "k_adjust": "Adjustment",
      "k_bonus": "Bonus",
      "k_import": "Moved from earlier program",
      "my_data": "My data",
      "back": "Back",
      "profile": "What we hold about you",
      "f_email": "Email",
      "f_phone": "Phone",
      "f_first_name": "First name",
      "f_last_name": "Last name",
      "f_preferred_name": "Preferred name",
      "f_birthday": "Birthday",
      "f_language": "Language",
      "in_shopify": "Change these in your customer account.",
      "save": "Save changes",
      "saved": "Saved",
      "consents": "Marketing",
      "c_email": "Offers by email",
      "c_sms": "Offers by text message",
      "sms_needs_phone": "Add a mobile number to your customer account to get offers by text message.",
      "downloads": "Download your data",
      "dl_json": "Everything (JSON)",
      "dl_csv": "Points history (CSV)",
      "restrict_title": "Pause your membership",
      "restrict_text": "While paused, you earn no points and get no messages; your data and points are kept.",
      "restrict": "Pause membership",
      "restricted_text": "Your membership is paused: you earn no points and get no messages.",
      "unrestrict": "Resume membership",
      "leave_title": "Leave the club",
      "leave_text": "Your {points} will be lost and your membership deleted. This cannot be undone.",
      "leave": "Leave the club",
      "leave_confirm": "Yes, leave the club",
      "cancel": "Cancel",
      "left": "You have left the club.",
      "lang_en": "English",
      "lang_nb": "Norwegian",
      "tier": "Your tier: {name}",
      "to_tier": "{amount} to {name}",
      "top_tier": "You are in the top tier.",
      "tiers_title": "Member tiers",
      "tier_from": "From {amount}",
      "tier_times": "{n}× points",
      "stamps_title": "Stamp cards",
      "stamps_of": "{n} of {of} stamps",
      "stamp_free": "Full card: a free item",
      "stamp_amount": "Full card: {money} off",
      "stamp_percent": "Full card: {percent} off",
      "stamp_earned": "Rewards earned: {n}",
      "stamp_code": "Your reward: {name}",
      "or_one": "{n} order",
      "or_other": "{n} orders",
      "voucher_more": "{amount} more {when} to a {voucher}",
      "when_month": "this month",
      "when_year": "this year",
      "when_days": "in this {n}-day period",
      "voucher_gift_card": "{amount} gift card",
      "voucher_discount_code": "{amount} discount code",
      "title_gift_card": "{amount} gift card",
      "title_discount_code": "{amount} discount code",
      "vouchers_title": "Your vouchers",
      "voucher_once": "Save this gift card code now: it is shown only once.",
      "voucher_ending": "Gift card ending {chars}",
      "voucher_pending": "On its way",
      "voucher_used": "Used",
      "voucher_expired": "Expired",
      "voucher_disabled": "Paused: refunds brought this period's spending below the threshold. It comes back if you reach it again.",
      "ref_title": "A friend invited you",
      "ref_offer": "Get {percent} off your first order.",
      "f_ref_email": "Your email",
      "ref_terms": "I accept the terms: the code is for one first order by me, valid for {days} days, and my email is used to create my customer account in this shop.",
      "ref_submit": "Get my code",
      "ref_code_title": "Your friend discount",
      "ref_code_text": "{percent} off your first order. Use it with the email you gave.",
      "ref_code_ends": "Valid until {date}.",
      "share_title": "Refer a friend",
      "share_text": "Give friends {percent} off their first order. You get {points} when their order has stood for {days} days.",
      "share_link": "Your referral link",
      "copy_link": "Copy link",
      "link_copied": "Link copied",
      "share": "Share",
      "share_message": "Get {percent} off your first order",
      "referrals_title": "Your referrals",
      "rs_signed_up": "Signed up",
      "rs_ordered": "Ordered, waiting",
      "rs_rewarded": "You earned {points}",
      "rs_not_eligible": "Refunded or cancelled",
      "rs_capped": "Over this month's limit"
    },
    "nb": {
      "title": "Fordelsklubb",
      "close": "Lukk",
      "loading": "Laster…",
      "error": "Noe gikk galt. Prøv igjen.",
      "earn_title": "Slik tjener du poeng",
      "earn_rate": "Få {points} for hver {money} du handler for",
      "earn_signup": "Få {points} når du blir medlem",
      "w_signup": "Bli medlem i klubben: {pay}",
      "w_birthday_month": "Bursdagsmåneden din: {pay}",
      "w_birthday_day": "Bursdagen din: {pay}",
      "w_follow": "Følg oss på {network}: {pay}",
      "w_newsletter": "Meld deg på nyhetsbrevet vårt: {pay}",
      "done": "Fullført",
      "new_tab": "åpnes i en ny fane",
      "add_birthday": "Legg inn bursdagen din",
      "birthday_wait": "En bursdag som legges inn eller endres mindre enn {days} dager før, gir belønning fra neste år.",
      "birthday_code": "Bursdagskoden din: {code}",
      "subscribe": "Meld meg på",
      "earned": "Du fikk {points}",
      "rewards_title": "Belønninger",
      "guest_join": "Logg inn eller opprett en konto for å bli medlem og tjene poeng.",
      "sign_in": "Logg inn",
      "register": "Opprett konto",
      "join_text": "Bli medlem i klubben for å begynne å tjene poeng.",
      "join": "Bli medlem",
      "balance": "Dine poeng",
      "next": "{points} igjen til {reward}",
      "all_affordable": "Du har råd til alle belønningene.",
      "redeem": "Løs inn",
      "redeem_named": "Løs inn {reward}",
      "need_more": "{points} til trengs",
      "working": "Lager rabattkoden din…",
      "code_title": "Rabattkoden din",
      "copy": "Kopier koden",
      "copied": "Koden er kopiert",
      "apply": "Bruk den i handlekurven",
      "welcome_title": "Velkomstrabatten din",
      "welcome_text": "{percent} rabatt på første bestilling.",
      "welcome_ends": "Bruk den innen {date}.",
      "welcome_promise": "Bli medlem og få {percent} rabatt på første bestilling",
      "welcome_wait": "Velkomstkoden din er på vei …",
      "welcome_ready": "Velkomstkoden din er klar.",
      "returned": "Vi fikk ikke laget koden. Poengene dine er gitt tilbake.",
      "no_rewards": "Ingen belønninger ennå.",
      "refund_note": "Poeng brukt på en belønning gis ikke tilbake hvis ordren refunderes.",
      "pt_one": "{n} poeng",
      "pt_other": "{n} poeng",
      "off_amount": "{money} rabatt",
      "off_percent": "{percent} rabatt",
      "free_shipping": "Gratis frakt",
      "free_product": "Gratis: {product}",
      "gift_card_of": "Gavekort på {money}",
      "store_credit_of": "Butikkreditt på {money}",
      "paused_product_deleted": "Ikke lenger tilgjengelig",
      "paused_price_changed": "Satt på pause inntil videre",
      "no_return": "Gavekort og butikkreditt kan ikke byttes tilbake til poeng.",
      "confirm_redeem": "Ja, løs inn for {points}",
      "gift_card_title": "Gavekortet ditt",
      "gift_card_once": "Kopier den nå: hele koden vises bare denne ene gangen. Shopify sender den også på e-post.",
      "credit_added": "{money} i butikkreditt er lagt til kontoen din.",
      "voucher_card": "Gavekort som slutter på {last}: {money}",
      "voucher_credit": "Butikkreditt: {money}",
      "history": "Poenghistorikk",
      "no_history": "Ingen poeng ennå.",
      "k_earn": "Kjøp",
      "k_refund": "Retur",
      "k_cancel": "Kansellert ordre",
      "k_redeem": "Belønning",
      "k_redeem_return": "Poeng tilbakeført",
      "k_expire": "Utløpt",
      "k_adjust": "Justering",
      "k_bonus": "Bonus (ekstra)",
      "k_import": "Flyttet fra tidligere program",
      "my_data": "Mine data",
      "back": "Tilbake",
      "profile": "Dette har vi lagret om deg",
      "f_email": "E-post",
      "f_phone": "Telefon",
      "f_first_name": "Fornavn",
      "f_last_name": "Etternavn",
      "f_preferred_name": "Foretrukket navn",
      "f_birthday": "Fødselsdag",
      "f_language": "Språk",
      "in_shopify": "Endre disse i kundekontoen din.",
      "save": "Lagre endringene",
      "saved": "Lagret",
      "consents": "Markedsføring",
      "c_email": "Tilbud på e-post",
      "c_sms": "Tilbud på SMS",
      "sms_needs_phone": "Legg til et mobilnummer i kundekontoen din for å få tilbud på SMS.",
      "downloads": "Last ned dataene dine",
      "dl_json": "Alt (JSON)",
      "dl_csv": "Poenghistorikk (CSV)",
      "restrict_title": "Sett medlemskapet på pause",
      "restrict_text": "Mens det er på pause, tjener du ikke poeng og får ingen meldinger; dataene og poengene dine beholdes.",
      "restrict": "Sett på pause",
      "restricted_text": "Medlemskapet ditt er på pause: du tjener ikke poeng og får ingen meldinger.",
      "unrestrict": "Fortsett medlemskapet",
      "leave_title": "Meld deg ut av klubben",
      "leave_text": "Du mister {points}, og medlemskapet ditt slettes. Dette kan ikke angres.",
      "leave": "Meld deg ut",
      "leave_confirm": "Ja, meld meg ut",
      "cancel": "Avbryt",
      "left": "Du har meldt deg ut av klubben.",
      "lang_en": "Engelsk",
      "lang_nb": "Norsk",
      "tier": "Ditt nivå: {name}",
      "to_tier": "{amount} til {name}",
      "top_tier": "Du er på øverste nivå.",
      "tiers_title": "Medlemsnivåer",
      "tier_from": "Fra {amount}",
      "tier_times": "{n}× poeng",
      "stamps_title": "Stempelkort",
      "stamps_of": "{n} av {of} stempler",
      "stamp_free": "Fullt kort: en gratis vare",
      "stamp_amount": "Fullt kort: {money} i rabatt",
      "stamp_percent": "Fullt kort: {percent} rabatt",
      "stamp_earned": "Belønninger opptjent: {n}",
      "stamp_code": "Din belønning: {name}",
      "or_one": "{n} ordre",
      "or_other": "{n} ordrer",
      "voucher_more": "Handle for {amount} til {when}, så får du {voucher}",
      "when_month": "denne måneden",
      "when_year": "i år",
      "when_days": "i denne perioden på {n} dager",
      "voucher_gift_card": "et gavekort på {amount}",
      "voucher_discount_code": "en rabattkode på {amount}",
      "title_gift_card": "Gavekort på {amount}",
      "title_discount_code": "Rabattkode på {amount}",
      "vouchers_title": "Dine gavekort og koder",
      "voucher_once": "Ta vare på gavekortkoden nå: den vises bare én gang.",
      "voucher_ending": "Gavekort som slutter på {chars}",
      "voucher_pending": "På vei",
      "voucher_used": "Brukt",
      "voucher_expired": "Utløpt",
      "voucher_disabled": "Satt på pause: refusjoner brakte handelen i perioden under grensen. Den kommer tilbake hvis du når grensen igjen.",
      "ref_title": "En venn har invitert deg",
      "ref_offer": "Få {percent} rabatt på din første bestilling.",
      "f_ref_email": "E-postadressen din",
      "ref_terms": "Jeg godtar vilkårene: koden gjelder én første bestilling fra meg, varer i {days} dager, og e-postadressen min brukes til å opprette kundekontoen min i denne butikken.",
      "ref_submit": "Få koden min",
      "ref_code_title": "Vennerabatten din",
      "ref_code_text": "{percent} rabatt på din første bestilling. Bruk den med e-postadressen du oppga.",
      "ref_code_ends": "Gyldig til {date}.",
      "share_title": "Verv en venn",
      "share_text": "Gi venner {percent} rabatt på første bestilling. Du får {points} når bestillingen deres har stått i {days} dager.",
      "share_link": "Vervelenken din",
      "copy_link": "Kopier lenken",
      "link_copied": "Lenken er kopiert",
      "share": "Del",
      "share_message": "Få {percent} rabatt på din første bestilling",
      "referrals_title": "Dine vervinger",
      "rs_signed_up": "Registrert",
      "rs_ordered": "Har bestilt, venter",
      "rs_rewarded": "Du fikk {points}",
      "rs_not_eligible": "Refundert eller kansellert",
      "rs_capped": "Over månedens grense"
    }
  }/*end-i18n*/;

  function Panel(root, host, launcher) {
    var code = (root.dataset.locale || "en").toLowerCase();
    this.lang = /^(nb|no|nn)\b/.test(code) ? "nb" : "en";
    this.locale = code;
    this.texts = TEXTS[this.lang];
    this.base = root.dataset.proxy || "/apps/klubb";
    this.root = root;
    this.host = host;
    this.launcher = launcher;
    this.data = null;
    this.code = null;
    this.busy = false;
    this.pid = launcher ? "klubb-d" : "klubb-p" + Panel.count++;
  }
  Panel.count = 0;

  var P = Panel.prototype;

  P.t = function (key, vars) {
    return this.texts[key].replace(/\{(\w+)\}/g, function (m, name) {
      return vars && name in vars ? String(vars[name]) : m;
    });
  };

  P.num = function (n) {
    return new Intl.NumberFormat(this.locale).format(n);
  };

  P.pts = function (n) {
    var rule = new Intl.PluralRules(this.locale).select(n) === "one" ? "pt_one" : "pt_other";
    return this.t(rule, { n: this.num(n) });
  };

  P.money = function (value, currency) {
    try {
      var n = Number(value);
      var whole = Number.isInteger(n) ? 0 : 2;
      return new Intl.NumberFormat(this.locale, {
        style: "currency",
        currency: currency,
        minimumFractionDigits: whole,
        maximumFractionDigits: whole
      }).format(n);
    } catch (e) {
      return value + " " + currency;
    }
  };

  // An element with attributes and children; strings become text nodes (never parsed as HTML).
  function h(tag, attrs, kids) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === "text") node.textContent = attrs[k];
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), attrs[k]);
      else if (attrs[k] != null) node.setAttribute(k, attrs[k]);
    }
    (kids || []).forEach(function (kid) {
      if (kid) node.appendChild(typeof kid === "string" ? document.createTextNode(kid) : kid);
    });
    return node;
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }

  // One call to the app proxy. POSTs carry a JSON body and one Idempotency-Key for all their
  // retries, so a retry after a lost answer or a 409 (still running) acts once.
  P.call = function (method, path, body) {
    var self = this;
    // Same-origin credentials: Shopify needs the storefront's own session to sign the customer.
    var init = { method: method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (method !== "GET") {
      init.headers["Content-Type"] = "application/json";
      init.headers["Idempotency-Key"] = uuid();
      init.body = JSON.stringify(body || {});
    }
    function attempt(left) {
      return fetch(self.base + path, init).then(function (res) {
        if (res.status === 409 && left > 0) {
          return new Promise(function (ok) {
            setTimeout(ok, 500);
          }).then(function () {
            return attempt(left - 1);
          });
        }
        return res.json().then(
          function (data) {
            return { status: res.status, data: data };
          },
          function () {
            return { status: res.status, data: {} };
          }
        );
      });
    }
    return attempt(5);
  };

  // The loyalty page keeps its server-rendered copy until there is something to show instead
  // (no blank flash, no layout shift while loading); then the panel's parts replace it.
  P.fresh = function () {
    this.host.replaceChildren();
    this.build();
  };

  P.say = function (text) {
    if (!this.status && text) this.fresh();
    if (this.status) this.status.textContent = text || "";
  };

  P.load = function () {
    var self = this;
    if (self.body) self.say(self.t("loading"));
    return self.call("GET", "/api/member").then(
      function (res) {
        if (res.status !== 200) throw new Error(String(res.status));
        self.data = res.data;
        self.say("");
        self.render();
      },
      function () {
        self.say(self.t("error"));
      }
    ).catch(function () {
      self.say(self.t("error"));
    });
  };

  P.build = function () {
    var self = this;
    var head = h("div", { class: "klubb-head" }, [
      h("h2", { id: self.pid + "-title", class: "klubb-title", text: self.t("title") })
    ]);
    if (self.launcher) {
      head.appendChild(
        h("button", {
          type: "button",
          class: "klubb-close",
          "aria-label": self.t("close"),
          text: "×",
          onclick: function () {
            self.close();
          }
        })
      );
    }
    self.body = h("div", { class: "klubb-body" });
    self.status = h("p", { class: "klubb-status", role: "status", "aria-live": "polite" });
    self.host.appendChild(head);
    self.host.appendChild(self.status);
    self.host.appendChild(self.body);
  };

  P.rewardLine = function (r) {
    if (r.kind === "free_shipping") return this.t("free_shipping");
    if (r.kind === "free_product") return this.t("free_product", { product: r.product_title || r.title });
    if (r.kind === "gift_card" || r.kind === "store_credit") {
      return this.t(r.kind + "_of", { money: this.money(r.value, r.currency) });
    }
    if (r.kind === "percentage") {
      var percent = new Intl.NumberFormat(this.locale, { style: "percent", maximumFractionDigits: 2 });
      return this.t("off_percent", { percent: percent.format(Number(r.value)) });
    }
    return this.t("off_amount", { money: this.money(r.value, r.currency) });
  };

  // Ways to earn: the earning rule, then the shop's other ways (ways_to_earn), each with what
  // it pays and, for a member, whether it is done; a follow links out and is credited on click.
  P.earnSection = function () {
    var self = this;
    var p = self.data.program;
    var items = [];
    if (p.earn_rate && Number(p.earn_rate) > 0) {
      items.push(h("li", {
        class: "klubb-reward",
        text: self.t("earn_rate", { points: self.pts(Number(p.earn_rate)), money: self.money(1, p.currency) })
      }));
    }
    (self.data.ways_to_earn || []).forEach(function (w) {
      var li = self.way(w);
      if (li) items.push(li);
    });
    return h("section", { class: "klubb-earn", "aria-labelledby": self.pid + "-earn-title" }, [
      h("h3", { id: self.pid + "-earn-title", text: self.t("earn_title") }),
      h("ul", { class: "klubb-rewards" }, items)
    ]);
  };

  P.way = function (w) {
    var self = this;
    var member = self.data.member;
    var pay = w.points != null ? self.pts(w.points) : self.t("off_percent", { percent: w.discount_percent + " %" });
    var label;
    var extra = [];
    if (w.kind === "signup") {
      // Given once per customer: not promised again to one who left and comes back.
      if (!member && w.done) return null;
      label = member ? self.t("w_signup", { pay: pay }) : self.t("earn_signup", { points: pay });
    } else if (w.kind === "birthday") {
      label = self.t(w.timing === "day" ? "w_birthday_day" : "w_birthday_month", { pay: pay });
      if (w.code) extra.push(h("code", { class: "klubb-code-value", text: self.t("birthday_code", { code: w.code }) }));
      if (member && !w.done && w.change_wait_days) {
        extra.push(h("span", { class: "klubb-muted", text: self.t("birthday_wait", { days: w.change_wait_days }) }));
      }
    } else if (w.network) {
      label = self.t("w_follow", { network: w.network_name || w.network, pay: pay });
    } else if (w.kind === "newsletter") {
      label = self.t("w_newsletter", { pay: pay });
    } else {
      return null; // a kind this version does not know
    }
    var key = "way-" + w.kind;
    var text = w.url
      ? h("a", {
          class: "klubb-link",
          href: w.url,
          target: "_blank",
          rel: "noopener noreferrer",
          "data-key": key,
          "aria-label": label + " (" + self.t("new_tab") + ")",
          text: label,
          onclick: function () {
            if (member && !w.done) self.follow(w, key);
          }
        })
      : h("span", { id: self.pid + "-" + key, text: label });
    var action = null;
    if (member && w.done) {
      action = h("span", { class: "klubb-muted", text: "✓ " + self.t("done") });
    } else if (member && w.kind === "birthday" && !w.birthday_given) {
      action = self.button("add_birthday", "klubb-link klubb-plain", function () {
        self.me("my-data", "#" + self.pid + "-birthday");
      });
    } else if (member && w.kind === "newsletter") {
      action = self.button("subscribe", "klubb-btn klubb-quiet", function () {
        self.earn("PUT", "/api/me/consents", { email: true }, '[data-key="' + key + '"]');
      });
      action.setAttribute("aria-describedby", self.pid + "-" + key);
      action.dataset.key = key;
    }
    return h("li", { class: "klubb-reward", "data-way": w.kind }, [
      h("span", { class: "klubb-reward-text" }, [text].concat(extra)),
      action
    ]);
  };

  // Credit a follow as its link opens the profile in a new tab (the honour system).
  P.follow = function (w, key) {
    this.earn("POST", "/api/me/follows", { network: w.network }, '[data-key="' + key + '"]');
  };

  // An action that earns points; then the member's data again, and focus back where it was.
  P.earn = function (method, path, body, focus) {
    var self = this;
    if (self.busy) return;
    self.busy = true;
    var before = self.data.points_balance;
    self.call(method, path, body).then(function (res) {
      self.busy = false;
      if (res.status !== 200) return self.say((res.data.error && res.data.error.message) || self.t("error"));
      return self.load().then(function () {
        var again = self.body.querySelector(focus);
        if (again) again.focus();
        var got = self.data.points_balance - before;
        if (got > 0) self.say(self.t("earned", { points: self.pts(got) }));
      });
    }, function () {
      self.busy = false;
      self.say(self.t("error"));
    });
  };

  P.rewardsSection = function (balance) {
    var self = this;
    var rewards = self.data.rewards || [];
    var list = h("ul", { class: "klubb-rewards" });
    rewards.forEach(function (r) {
      var action = null;
      var kept = r.kind === "gift_card" || r.kind === "store_credit";
      if (r.paused) {
        action = h("span", { class: "klubb-muted", text: self.t("paused_" + r.paused) });
      } else if (balance != null && balance >= r.points_cost && kept && self.confirming === r.id) {
        // A gift card or store credit cannot be returned: say so, and redeem on a second click.
        action = h("span", { class: "klubb-confirm" }, [
          h("span", { class: "klubb-muted", text: self.t("no_return") }),
          h("button", {
            type: "button",
            class: "klubb-btn klubb-redeem klubb-confirm-yes",
            text: self.t("confirm_redeem", { points: self.pts(r.points_cost) }),
            onclick: function () {
              self.confirming = null;
              self.redeem(r);
            }
          }),
          self.button("cancel", "klubb-link klubb-plain", function () {
            self.confirming = null;
            self.render();
          })
        ]);
      } else if (balance != null && balance >= r.points_cost) {
        action = h("button", {
          type: "button",
          class: "klubb-btn klubb-redeem",
          "data-reward": r.id,
          "aria-label": self.t("redeem_named", { reward: r.title }),
          text: self.t("redeem"),
          onclick: function (ev) {
            if (!kept) return self.redeem(r, ev.currentTarget);
            self.confirming = r.id;
            self.render();
            var yes = self.body.querySelector(".klubb-confirm-yes");
            if (yes) yes.focus();
          }
        });
      } else if (balance != null) {
        action = h("span", {
          class: "klubb-muted",
          text: self.t("need_more", { points: self.pts(r.points_cost - balance) })
        });
      }
      list.appendChild(
        h("li", { class: "klubb-reward" }, [
          h("span", { class: "klubb-reward-text" }, [
            h("strong", { text: r.title }),
            h("span", { text: self.rewardLine(r) + " · " + self.pts(r.points_cost) })
          ]),
          action
        ])
      );
    });
    return h("section", { "aria-labelledby": this.pid + "-rewards-title" }, [
      h("h3", { id: this.pid + "-rewards-title", text: self.t("rewards_title") }),
      rewards.length ? list : h("p", { text: self.t("no_rewards") })
    ]);
  };

  P.memberSection = function (balance) {
    var rewards = this.data.rewards || [];
    var next = rewards.filter(function (r) {
      return r.points_cost > balance;
    })[0];
    var kids = [
      h("p", { class: "klubb-balance" }, [
        h("span", { text: this.t("balance") }),
        h("strong", { class: "klubb-points", text: this.num(balance) })
      ])
    ];
    if (next) {
      var label = this.t("next", { points: this.pts(next.points_cost - balance), reward: next.title });
      kids.push(h("p", { id: this.pid + "-next", class: "klubb-next", text: label }));
      kids.push(
        h("progress", {
          max: String(next.points_cost),
          value: String(Math.max(balance, 0)),
          "aria-labelledby": this.pid + "-next"
        })
      );
    } else if (rewards.length) {
      kids.push(h("p", { class: "klubb-next", text: this.t("all_affordable") }));
    }
    return h("section", { class: "klubb-member", "aria-label": this.t("balance") }, kids);
  };

  // A tier's threshold or what remains to it, in its basis: points, money or orders.
  P.amount = function (basis, value) {
    if (basis === "spend") return this.money(value, this.data.program.currency);
    if (basis === "points") return this.pts(Number(value));
    var n = Number(value);
    return this.t(new Intl.PluralRules(this.locale).select(n) === "one" ? "or_one" : "or_other", { n: this.num(n) });
  };

  // The member's tier, and a progress bar to the next ("NOK 1,250 to Gold").
  P.tierSection = function () {
    var d = this.data;
    var next = d.next_tier;
    var kids = [];
    if (d.tier) kids.push(h("p", { class: "klubb-tier" }, [h("strong", { text: this.t("tier", { name: d.tier.name }) })]));
    if (next) {
      var label = this.t("to_tier", { amount: this.amount(next.basis, next.remaining), name: next.name });
      var tiers = d.tiers || [];
      var here = tiers.filter(function (t) {
        return d.tier && t.id === d.tier.id;
      })[0];
      var low = here ? Number(here.threshold) : 0;
      var high = Number(next.threshold);
      var now = Math.min(high, Math.max(low, Number(next.progress)));
      var share = high > low ? (100 * (now - low)) / (high - low) : 0;
      var fill = h("span");
      fill.style.width = share.toFixed(1) + "%"; // through the CSSOM: no inline style for a CSP to refuse
      kids.push(h("p", { id: this.pid + "-tier-next", class: "klubb-next", text: label }));
      kids.push(
        h("div", {
          class: "klubb-bar",
          role: "progressbar",
          "aria-labelledby": this.pid + "-tier-next",
          "aria-valuemin": String(low),
          "aria-valuemax": String(high),
          "aria-valuenow": String(now),
          "aria-valuetext": label
        }, [fill])
      );
    } else if (d.tier) {
      kids.push(h("p", { class: "klubb-next", text: this.t("top_tier") }));
    }
    return kids.length ? h("section", { class: "klubb-member", "aria-label": this.t("tiers_title") }, kids) : null;
  };

  // "NOK 1,250 more this year to a NOK 250 gift card", with a progress bar, per voucher rule.
  P.voucherProgress = function () {
    var self = this;
    var currency = self.data.program.currency;
    var open = (self.data.voucher_progress || []).filter(function (p) {
      return Number(p.remaining) > 0; // a rule reached shows its voucher below instead
    });
    var kids = open.map(function (p, i) {
      var when = p.period === "calendar_month" ? self.t("when_month")
        : p.period === "calendar_year" ? self.t("when_year")
        : self.t("when_days", { n: self.num(p.period_days || 0) });
      var voucher = self.t("voucher_" + p.voucher.kind, { amount: self.money(p.voucher.amount, currency) });
      var high = Number(p.threshold);
      var now = Math.min(high, Number(p.spend));
      var label = self.t("voucher_more", { amount: self.money(p.remaining, currency), when: when, voucher: voucher });
      var fill = h("span");
      fill.style.width = (high > 0 ? (100 * now) / high : 0).toFixed(1) + "%";
      var id = self.pid + "-voucher-" + i;
      return h("div", { class: "klubb-voucher-progress" }, [
        h("p", { id: id, class: "klubb-next", text: label }),
        h("div", {
          class: "klubb-bar",
          role: "progressbar",
          "aria-labelledby": id,
          "aria-valuemin": "0",
          "aria-valuemax": String(high),
          "aria-valuenow": String(now),
          "aria-valuetext": label
        }, [fill])
      ]);
    });
    return kids.length ? h("section", { class: "klubb-member", "aria-label": self.t("vouchers_title") }, kids) : null;
  };

  // The member's vouchers: a code to copy (a gift card's only the once it is shown), or what
  // became of it.
  P.vouchersSection = function () {
    var self = this;
    var vouchers = self.data.vouchers || [];
    if (!vouchers.length) return null;
    var boxes = [];
    var items = [];
    vouchers.forEach(function (v) {
      if (v.source === "reward") {
        // Bought with points: a gift card by its last characters, or store credit, and its worth.
        var money = self.money(v.amount, v.currency);
        var text = v.kind === "gift_card" && v.last_characters
          ? self.t("voucher_card", { last: v.last_characters, money: money })
          : self.t(v.kind === "gift_card" ? "gift_card_of" : "voucher_credit", { money: money });
        items.push(h("li", { class: "klubb-reward" }, [
          h("span", { class: "klubb-reward-text" }, [
            h("strong", { text: text }),
            v.state === "expired" ? h("span", { class: "klubb-muted", text: self.t("voucher_expired") }) : null
          ])
        ]));
        return;
      }
      var what = self.t("title_" + v.kind, { amount: self.money(v.amount, v.currency) });
      if (v.state === "active" && v.code) {
        var notes = v.kind === "gift_card" ? [self.t("voucher_once")] : [];
        boxes.push(self.codeBox("voucher-" + v.id, what, v.code, v.kind === "gift_card" ? false : null, notes));
        return;
      }
      var line = [];
      if (v.last_characters) line.push(self.t("voucher_ending", { chars: v.last_characters }));
      if (v.state === "pending") line.push(self.t("voucher_pending"));
      if (v.state === "used") line.push(self.t("voucher_used"));
      if (v.state === "disabled") line.push(self.t("voucher_disabled"));
      items.push(h("li", { class: "klubb-reward" }, [
        h("span", { class: "klubb-reward-text" }, [
          h("strong", { text: what }),
          line.length ? h("span", { class: "klubb-muted", text: line.join(" · ") }) : null
        ])
      ]));
    });
    return h("section", { "aria-labelledby": self.pid + "-vouchers-title" }, [
      h("h3", { id: self.pid + "-vouchers-title", text: self.t("vouchers_title") })
    ].concat(boxes, items.length ? [h("ul", { class: "klubb-rewards" }, items)] : []));
  };

  // Every tier with what it takes and what it gives (guests see it too).
  P.tiersSection = function () {
    var self = this;
    var tiers = self.data.tiers || [];
    if (!tiers.length) return null;
    return h("section", { "aria-labelledby": this.pid + "-tiers-title" }, [
      h("h3", { id: this.pid + "-tiers-title", text: self.t("tiers_title") }),
      h("ul", { class: "klubb-rewards" }, tiers.map(function (t) {
        var perks = t.perks && typeof t.perks === "object" ? t.perks[self.lang] || t.perks.en || t.perks.nb : t.perks;
        var line = [self.t("tier_from", { amount: self.amount(t.basis, t.threshold) })];
        if (Number(t.earn_multiplier) > 1) line.push(self.t("tier_times", { n: self.num(Number(t.earn_multiplier)) }));
        return h("li", { class: "klubb-reward" }, [
          h("span", { class: "klubb-reward-text" }, [
            h("strong", { text: t.name }),
            h("span", { text: line.join(" · ") }),
            perks ? h("span", { class: "klubb-muted", text: perks }) : null
          ])
        ]);
      }))
    ]);
  };

  // What a full card gives, in words.
  P.stampReward = function (r) {
    if (r.kind === "free_product") return this.t("stamp_free");
    if (r.kind === "fixed_amount") return this.t("stamp_amount", { money: this.money(r.amount, this.data.program.currency) });
    return this.t("stamp_percent", { percent: this.percent(r.percentage) });
  };

  // Each stamp card as a row of stamps (read as "6 of 10 stamps"), what a full card gives, the
  // rewards earned, and the codes of rewards not used yet. Guests see the cards empty.
  P.stampsSection = function () {
    var self = this;
    var cards = self.data.stamp_cards || [];
    if (!cards.length) return null;
    var codes = [];
    var section = h("section", { class: "klubb-stamp-cards", "aria-labelledby": self.pid + "-stamps-title" }, [
      h("h3", { id: self.pid + "-stamps-title", text: self.t("stamps_title") }),
      h("ul", { class: "klubb-rewards" }, cards.map(function (c) {
        var label = self.t("stamps_of", { n: self.num(c.stamps), of: self.num(c.stamps_required) });
        var dots = [];
        for (var i = 0; i < c.stamps_required; i++) {
          dots.push(h("span", { class: i < c.stamps ? "klubb-stamp klubb-stamp-on" : "klubb-stamp" }));
        }
        (c.codes || []).forEach(function (code, n) {
          codes.push(self.codeBox("stamp-" + c.id + "-" + n, self.t("stamp_code", { name: c.name }), code.code, null, [self.stampReward(code.reward)]));
        });
        return h("li", { class: "klubb-reward klubb-stamp-card" }, [
          h("span", { class: "klubb-reward-text" }, [
            h("strong", { text: c.name }),
            h("span", { class: "klubb-stamps", role: "img", "aria-label": label }, dots),
            h("span", { "aria-hidden": "true", text: label }),
            h("span", { text: self.stampReward(c.reward) }),
            c.rewards_earned ? h("span", { class: "klubb-muted", text: self.t("stamp_earned", { n: self.num(c.rewards_earned) }) }) : null
          ])
        ]);
      }))
    ]);
    return [section].concat(codes);
  };

  // A discount code to use: its title, the code, Copy (confirmed beside it, and announced) and
  // the shop's link that applies it. ``key`` tells the boxes of one view apart.
  P.codeBox = function (key, title, code, href, notes) {
    var self = this;
    var id = self.pid + "-" + key;
    var said = h("span", { class: "klubb-copied", role: "status" });
    return h("section", { class: "klubb-code", "data-code": key, "aria-labelledby": id + "-title" }, [
      h("h3", { id: id + "-title", text: title }),
      h("p", {}, [h("code", { class: "klubb-code-value", text: code })])
    ].concat((notes || []).map(function (text) {
      return h("p", { class: "klubb-muted", text: text });
    }), [
      h("div", { class: "klubb-row" }, [
        h("button", {
          type: "button",
          class: "klubb-btn klubb-copy",
          "data-key": "copy-" + key,
          "aria-describedby": id + "-title",
          text: self.t("copy"),
          onclick: function () {
            self.copy(code, said);
          }
        }),
        href === false ? null : h("a", { class: "klubb-link", href: href || "/discount/" + encodeURIComponent(code), text: self.t("apply") }),
        said
      ])
    ]));
  };

  P.codeSection = function () {
    var c = this.code;
    if (c.kind === "store_credit") {
      return h("p", { class: "klubb-code", "data-code": "code", text: this.t("credit_added", { money: this.money(c.amount, c.currency) }) });
    }
    if (c.kind === "gift_card") {
      // Shown once: the next answer has only the last characters.
      return this.codeBox("code", this.t("gift_card_title"), c.code, false, [this.t("gift_card_once")]);
    }
    var title = this.t("code_title") + (c.reward_title ? ": " + c.reward_title : "");
    return this.codeBox("code", title, c.code, c.apply_url);
  };

  P.percent = function (n) {
    return new Intl.NumberFormat(this.locale, { style: "percent", maximumFractionDigits: 2 }).format(n / 100);
  };

  // The member's welcome code, shown until an order uses it (or its end date passes).
  P.welcomeSection = function (w) {
    var notes = [this.t("welcome_text", { percent: this.percent(w.percentage) })];
    if (w.ends_at) notes.push(this.t("welcome_ends", { date: this.date(w.ends_at) }));
    return this.codeBox("welcome", this.t("welcome_title"), w.code, null, notes);
  };

  // "Join and get 10 % off": to shoppers who can still get the welcome discount.
  P.promise = function () {
    var p = this.data.program;
    if (!(p.welcome_discount_percent > 0) || this.data.signup_bonus_received) return null;
    return h("p", { class: "klubb-promise", text: this.t("welcome_promise", { percent: this.percent(p.welcome_discount_percent) }) });
  };

  // Just joined: the welcome job makes the code in Shopify in a moment; ask again until it is
  // there (or give up quietly), then show it without moving the focus.
  P.awaitWelcome = function (left) {
    var self = this;
    var ticket = (self.welcomeTicket = (self.welcomeTicket || 0) + 1);
    self.say(self.t("welcome_wait"));
    function ask(n) {
      setTimeout(function () {
        if (ticket !== self.welcomeTicket || self.body.dataset.view !== "member") return;
        self.call("GET", "/api/member").then(function (res) {
          if (ticket !== self.welcomeTicket || self.body.dataset.view !== "member") return;
          var w = res.status === 200 && res.data.welcome_code;
          if (w) {
            self.data = res.data;
            var had = self.focusKey();
            self.render();
            var back = had && self.body.querySelector(had);
            if (back) back.focus();
            return self.say(w.state === "issued" ? self.t("welcome_ready") : "");
          }
          if (n > 0) return ask(n - 1);
          self.say("");
        }, function () {
          if (n > 0) ask(n - 1);
        });
      }, 1500);
    }
    ask(left);
  };

  // The referral code the visitor arrived with (?ref=, kept by the launcher for the visit).
  function referralCode() {
    var found = /[?&]ref=([A-Za-z0-9]{4,16})(?:&|$)/.exec(window.location.search);
    if (found) return found[1].toUpperCase();
    try {
      return window.sessionStorage.getItem("klubb-ref");
    } catch (e) {
      return null;
    }
  }

  // A friend arrived through a member's link: the offer, the email and consent to the terms
  // shown; then the friend's code (or why not, beside the form).
  P.referralOffer = function () {
    var self = this;
    var offer = self.data.program.referral_offer;
    var code = referralCode();
    if (!offer || !code || self.data.member) return null;
    if (self.friendCode) {
      var c = self.friendCode;
      var notes = [self.t("ref_code_text", { percent: self.percent(c.percentage) })];
      if (c.ends_at) notes.push(self.t("ref_code_ends", { date: self.date(c.ends_at) }));
      return self.codeBox("friend", self.t("ref_code_title"), c.code, null, notes);
    }
    var id = self.pid + "-ref";
    var email = h("input", { type: "email", autocomplete: "email", required: "required", maxlength: "320" });
    var consent = h("input", { type: "checkbox", id: id + "-consent", required: "required" });
    var problem = h("p", { class: "klubb-error", id: id + "-problem", role: "alert" });
    var form = h("form", { class: "klubb-form", "aria-describedby": id + "-offer" }, [
      self.field("ref_email", email),
      h("p", { class: "klubb-check" }, [
        consent,
        h("label", { for: consent.id, text: self.t("ref_terms", { days: offer.code_days }) })
      ]),
      problem,
      h("button", { type: "submit", class: "klubb-btn", "data-key": "ref_submit", text: self.t("ref_submit") })
    ]);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (self.busy) return;
      self.busy = true;
      problem.textContent = "";
      var body = { code: code, email: email.value.trim(), consent: consent.checked };
      self.call("POST", "/api/referrals", body).then(function (res) {
        self.busy = false;
        if (res.status === 200) {
          self.friendCode = res.data;
          self.render();
          var copy = self.body.querySelector('[data-key="copy-friend"]');
          if (copy) copy.focus();
          return;
        }
        var error = res.data.error || {};
        var fields = error.fields || {};
        problem.textContent = fields.email || fields.code || fields.consent || error.message || self.t("error");
        email.setAttribute("aria-describedby", problem.id);
      }, function () {
        self.busy = false;
        problem.textContent = self.t("error");
      });
    });
    return h("section", { class: "klubb-referral", "aria-labelledby": id + "-title" }, [
      h("h3", { id: id + "-title", text: self.t("ref_title") }),
      h("p", { id: id + "-offer", class: "klubb-promise", text: self.t("ref_offer", { percent: self.percent(offer.discount_percent) }) }),
      form
    ]);
  };

  // A member's link to share (Copy link; Share where the browser has the Web Share API) and
  // the referrals they made, each with its state.
  P.shareSection = function () {
    var self = this;
    var r = self.data.referral;
    var offer = self.data.program.referral_offer;
    if (!r || !offer) return null;
    var id = self.pid + "-share";
    var said = h("span", { class: "klubb-copied", role: "status" });
    var link = h("input", { type: "text", readonly: "readonly", value: r.url, id: id + "-link", class: "klubb-share-link" });
    var buttons = [
      h("button", {
        type: "button",
        class: "klubb-btn",
        "data-key": "copy_link",
        text: self.t("copy_link"),
        onclick: function () {
          if (navigator.clipboard && navigator.clipboard.writeText) {
            navigator.clipboard.writeText(r.url).then(function () {
              said.textContent = self.t("link_copied");
            }, function () {
              link.select();
            });
          } else {
            link.select();
          }
        }
      })
    ];
    if (navigator.share) {
      buttons.push(self.button("share", "klubb-btn klubb-quiet", function () {
        navigator.share({ title: self.t("share_message", { percent: self.percent(offer.discount_percent) }), url: r.url }).catch(function () {});
      }));
    }
    buttons.push(said);
    var kids = [
      h("h3", { id: id + "-title", text: self.t("share_title") }),
      h("p", {
        text: self.t("share_text", {
          percent: self.percent(offer.discount_percent),
          points: self.pts(offer.points),
          days: offer.wait_days
        })
      }),
      h("p", { class: "klubb-field" }, [h("label", { for: link.id, text: self.t("share_link") }), link]),
      h("div", { class: "klubb-row" }, buttons)
    ];
    var made = self.data.referrals || [];
    if (made.length) {
      kids.push(h("h4", { id: id + "-made", text: self.t("referrals_title") }));
      kids.push(h("ul", { class: "klubb-rewards klubb-referrals", "aria-labelledby": id + "-made" }, made.map(function (m) {
        var state = self.t("rs_" + m.state, { points: self.pts(m.points) });
        return h("li", { "data-state": m.state }, [
          h("span", { text: m.friend_email || "—" }),
          h("span", { class: "klubb-muted", text: state })
        ]);
      })));
    }
    return h("section", { class: "klubb-share", "aria-labelledby": id + "-title" }, kids);
  };

  P.render = function () {
    var self = this;
    var d = self.data;
    self.leaving = false; // the main view: no "leave the club" confirmation stays open
    var kids = [];
    if (d.member) {
      kids.push(self.memberSection(d.points_balance));
      kids.push(self.tierSection());
      kids.push(self.voucherProgress());
      if (self.code) kids.push(self.codeSection());
      if (d.welcome_code && d.welcome_code.state === "issued") kids.push(self.welcomeSection(d.welcome_code));
      kids.push(self.rewardsSection(d.points_balance));
      var vouchers = self.vouchersSection();
      if (vouchers) kids.push(vouchers);
      kids = kids.concat(self.stampsSection() || []);
      kids.push(self.earnSection());
      kids.push(self.shareSection());
      kids.push(self.tiersSection());
      kids.push(h("p", { class: "klubb-muted", text: self.t("refund_note") }));
      kids.push(
        h("div", { class: "klubb-row" }, [
          self.button("history", "klubb-link klubb-plain", function () {
            self.me("history");
          }),
          self.button("my_data", "klubb-link klubb-plain", function () {
            self.me("my-data");
          })
        ])
      );
    } else if (d.signed_in) {
      kids.push(self.referralOffer());
      kids.push(self.promise());
      kids.push(h("p", { text: self.t("join_text") }));
      kids.push(
        h("button", {
          type: "button",
          class: "klubb-btn klubb-join",
          text: self.t("join"),
          onclick: function (ev) {
            self.join(ev.currentTarget);
          }
        })
      );
      kids.push(self.earnSection());
      kids.push(self.rewardsSection(null));
      kids = kids.concat(self.stampsSection() || []);
      kids.push(self.tiersSection());
    } else {
      var links = self.root.dataset;
      kids.push(self.referralOffer());
      kids.push(self.promise());
      kids.push(self.earnSection());
      kids.push(self.rewardsSection(null));
      kids = kids.concat(self.stampsSection() || []);
      kids.push(self.tiersSection());
      kids.push(h("p", { text: self.t("guest_join") }));
      kids.push(
        h("div", { class: "klubb-row" }, [
          h("a", { class: "klubb-btn", href: links.login || "/account/login", text: self.t("sign_in") }),
          h("a", { class: "klubb-link", href: links.register || "/account/register", text: self.t("register") })
        ])
      );
    }
    if (!self.body) self.fresh();
    self.look(d.program.appearance);
    self.show_(kids, d.member ? "member" : d.signed_in ? "non-member" : "guest");
  };

  P.show_ = function (kids, view) {
    this.body.replaceChildren.apply(this.body, kids.filter(Boolean));
    this.body.dataset.view = view;
  };

  P.button = function (key, cls, onclick, vars) {
    return h("button", { type: "button", class: cls, "data-key": key, text: this.t(key, vars), onclick: onclick });
  };

  // What has the focus in the panel, as a selector that finds the same control after a redraw.
  P.focusKey = function () {
    var el = document.activeElement;
    if (!el || !this.body.contains(el)) return null;
    if (el.id) return "#" + (window.CSS && CSS.escape ? CSS.escape(el.id) : el.id);
    return el.dataset && el.dataset.key ? '[data-key="' + el.dataset.key + '"]' : null;
  };

  // The merchant's Widget appearance (admin) wins over the theme editor's settings once known.
  P.look = function (a) {
    if (!a) return;
    var root = this.root;
    ["accent", "on-accent", "bg", "text"].forEach(function (v, i) {
      root.style.setProperty("--klubb-" + v, a[["accent_color", "accent_text_color", "background_color", "text_color"][i]]);
    });
    root.classList.toggle("klubb-left", a.position === "left");
    root.classList.toggle("klubb-right", a.position !== "left");
    var text = a.launcher_text && a.launcher_text[this.lang];
    var label = this.launcher && this.launcher.querySelector("span");
    if (text && label) label.textContent = text;
  };

  P.date = function (iso) {
    return new Intl.DateTimeFormat(this.locale, { dateStyle: "medium" }).format(new Date(iso));
  };

  // The member's own data (GET /api/me) as the history or the "my data" view; ``locale`` asks
  // for the history's reasons in the panel's language.
  // A redraw keeps a "leave the club" confirmation the shopper opened while it loaded, and
  // the focus on the control that had it (``focus``: a selector to move it to instead); only
  // the newest of several loads in flight draws.
  P.me = function (view, focus) {
    var self = this;
    var ticket = (self.meTicket = (self.meTicket || 0) + 1);
    self.say(self.t("loading"));
    return self.call("GET", "/api/me?locale=" + self.lang).then(function (res) {
      if (ticket !== self.meTicket) return;
      if (res.status !== 200) return self.fail();
      self.say("");
      self.mine = res.data;
      var back = self.button("back", "klubb-link klubb-plain klubb-back", function () {
        self.render();
        self.focusFirst();
      });
      var had = focus || self.focusKey();
      self.show_([back].concat(view === "history" ? self.historyView() : self.dataView()), view);
      ((had && self.body.querySelector(had)) || self.body.querySelector("h3")).focus();
    }, function () {
      if (ticket === self.meTicket) self.fail();
    });
  };

  P.heading = function (key) {
    return h("h3", { tabindex: "-1", text: this.t(key) });
  };

  P.historyView = function () {
    var self = this;
    var rows = self.mine.recent_ledger || [];
    var list = h("ul", { class: "klubb-rewards" }, rows.map(function (e) {
      var sign = e.points > 0 ? "+" : "";
      // reason_label: why, in words the server put in the panel's language (a staff
      // member's reason as they typed it).
      var why = [e.reason_label, self.date(e.created_at)].filter(Boolean).join(" · ");
      return h("li", { class: "klubb-reward" }, [
        h("span", { class: "klubb-reward-text" }, [
          h("strong", { text: self.texts["k_" + e.kind] || e.kind }),
          h("span", { class: "klubb-muted", text: why })
        ]),
        h("span", { text: sign + self.pts(e.points) })
      ]);
    }));
    return [self.heading("history"), rows.length ? list : h("p", { text: self.t("no_history") })];
  };

  P.field = function (name, input) {
    var id = this.pid + "-" + name;
    input.id = id;
    input.name = name;
    return h("p", { class: "klubb-field" }, [h("label", { for: id, text: this.t("f_" + name) }), input]);
  };

  P.dataView = function () {
    var self = this;
    var m = self.mine;
    var p = m.profile;
    var facts = h("dl", { class: "klubb-facts" });
    m.shopify_owned_fields.forEach(function (name) {
      facts.appendChild(h("dt", { text: self.t("f_" + name) }));
      facts.appendChild(h("dd", { text: p[name] || "—" }));
    });
    var lang = h("select", {}, ["en", "nb"].map(function (code) {
      return h("option", { value: code, text: self.t("lang_" + code) });
    }));
    lang.value = p.language || self.lang;
    var form = h("form", { class: "klubb-form" }, [
      self.field("preferred_name", h("input", { type: "text", maxlength: "60", autocomplete: "nickname", value: p.preferred_name || "" })),
      self.field("birthday", h("input", { type: "date", value: p.birthday || "" })),
      self.field("language", lang),
      h("button", { type: "submit", class: "klubb-btn", "data-key": "save", text: self.t("save") })
    ]);
    var names = ["preferred_name", "birthday", "language"];
    var before = names.map(function (name) {
      return form.elements[name].value;
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = {};
      names.forEach(function (name, i) {
        var value = form.elements[name].value.trim();
        if (value !== before[i]) body[name] = value || null;
      });
      if (Object.keys(body).length) self.change("PATCH", "/api/me", body);
      else self.say(self.t("saved"));
    });
    var consents = h("fieldset", { class: "klubb-form" }, [h("legend", { text: self.t("consents") })]);
    ["email", "sms"].forEach(function (channel) {
      var box = h("input", { type: "checkbox", id: self.pid + "-c-" + channel });
      box.checked = Boolean(m.consents[channel]);
      box.addEventListener("change", function () {
        var body = {};
        body[channel] = box.checked;
        self.change("PUT", "/api/me/consents", body, null, function (data) {
          box.checked = !box.checked; // refused: the box shows what stands
          var fields = (data.error && data.error.fields) || {};
          return fields.sms ? self.t("sms_needs_phone") : null;
        });
      });
      consents.appendChild(h("p", { class: "klubb-check" }, [box, h("label", { for: box.id, text: self.t("c_" + channel) })]));
    });
    var restricted = m.status === "restricted";
    var askToLeave = function () {
      self.leaving = true;
      leaveBox.replaceChildren(
        h("p", { class: "klubb-warn", id: self.pid + "-leave", text: self.t("leave_text", { points: self.pts(m.points_balance) }) }),
        self.button("leave_confirm", "klubb-btn klubb-danger", function () {
          self.change("DELETE", "/api/me", { confirm: "LEAVE" }, "left");
        }),
        self.button("cancel", "klubb-link klubb-plain", function () {
          self.leaving = false;
          self.me("my-data", '[data-key="leave"]');
        })
      );
      leaveBox.querySelector(".klubb-danger").setAttribute("aria-describedby", self.pid + "-leave");
    };
    var leaveBox = h("div", { class: "klubb-row" }, [
      self.button("leave", "klubb-btn klubb-quiet", function () {
        askToLeave();
        leaveBox.querySelector(".klubb-danger").focus();
      })
    ]);
    if (self.leaving) askToLeave();
    return [
      self.heading("my_data"),
      h("h4", { text: self.t("profile") }),
      facts,
      h("p", { class: "klubb-muted", text: self.t("in_shopify") }),
      form,
      consents,
      h("h4", { text: self.t("downloads") }),
      h("div", { class: "klubb-row" }, [
        h("a", { class: "klubb-link", href: m.downloads.json, download: "", text: self.t("dl_json") }),
        h("a", { class: "klubb-link", href: m.downloads.csv, download: "", text: self.t("dl_csv") })
      ]),
      h("h4", { text: self.t("restrict_title") }),
      h("p", { text: self.t(restricted ? "restricted_text" : "restrict_text") }),
      self.button(restricted ? "unrestrict" : "restrict", "klubb-btn klubb-quiet", function () {
        self.change(restricted ? "DELETE" : "POST", "/api/me/restriction", {});
      }),
      h("h4", { text: self.t("leave_title") }),
      leaveBox
    ];
  };

  // A change to the member's own data; then the view is drawn again from the server's state.
  // ``refused`` undoes what the control shows when the change is refused.
  P.change = function (method, path, body, after, refused) {
    var self = this;
    if (self.busy) return;
    self.busy = true;
    self.say("");
    self.call(method, path, body).then(function (res) {
      self.busy = false;
      if (res.status !== 200) {
        var said = refused && refused(res.data);
        return self.say(said || (res.data.error && res.data.error.message) || self.t("error"));
      }
      if (after === "left") {
        self.leaving = false;
        return self.load().then(function () {
          self.say(self.t("left"));
          self.focusFirst();
        });
      }
      self.me("my-data").then(function () {
        self.say(self.t("saved"));
      });
    }, function () {
      self.busy = false;
      self.say(self.t("error"));
    });
  };

  P.lock = function (on) {
    this.busy = on;
    var buttons = this.body.querySelectorAll(".klubb-redeem, .klubb-join");
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = on;
  };

  P.join = function () {
    var self = this;
    if (self.busy) return;
    self.lock(true);
    self.call("POST", "/api/join", {}).then(function (res) {
      self.busy = false;
      if (res.status === 200) {
        self.data = res.data;
        self.render();
        self.focusFirst();
        if (res.data.program.welcome_discount_percent > 0 && !res.data.welcome_code) self.awaitWelcome(20);
      } else {
        self.lock(false);
        self.say((res.data.error && res.data.error.message) || self.t("error"));
      }
    }, function () {
      self.lock(false);
      self.say(self.t("error"));
    });
  };

  // Redeem: every Redeem button is disabled at the first click, so a double click redeems once.
  P.redeem = function (reward) {
    var self = this;
    if (self.busy) return;
    self.lock(true);
    self.say(self.t("working"));
    self.call("POST", "/api/redemptions", { reward_id: reward.id }).then(function (res) {
      if (res.status === 201 || res.status === 200) return self.issued(res.data);
      if (res.status === 202) {
        // The points are reserved already: show the new balance while the code is made.
        if (res.data.points_balance != null) self.data.points_balance = res.data.points_balance;
        self.render();
        self.lock(true);
        return self.poll(res.data.id, 40);
      }
      var error = res.data && res.data.error;
      if (res.status === 502 && error && error.code === "reward_paused") return self.fail(error.message);
      self.fail(res.status === 502 ? self.t("returned") : error && error.message);
    }, function () {
      self.fail();
    });
  };

  P.poll = function (id, left) {
    var self = this;
    setTimeout(function () {
      self.call("GET", "/api/redemptions/" + encodeURIComponent(id)).then(function (res) {
        var state = res.data && res.data.state;
        if (res.status === 200 && state === "issued") self.issued(res.data);
        else if (state === "returned") self.fail(self.t("returned"));
        else if (left > 0) self.poll(id, left - 1);
        else self.fail();
      }, function () {
        if (left > 0) self.poll(id, left - 1);
        else self.fail();
      });
    }, 1500);
  };

  P.issued = function (redemption) {
    this.busy = false;
    this.code = redemption;
    if (redemption.points_balance != null) this.data.points_balance = redemption.points_balance;
    this.say("");
    this.render();
    var copy = this.body.querySelector(".klubb-copy");
    if (copy) copy.focus();
  };

  P.fail = function (message) {
    var self = this;
    self.busy = false;
    self.load().then(function () {
      self.say(message || self.t("error"));
    });
  };

  // Copy a code; ``said`` (a status beside the button) confirms it, or shows the code to copy
  // by hand where the clipboard is out of reach.
  P.copy = function (text, said) {
    var self = this;
    function show(message) {
      said.textContent = message;
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () {
        show(self.t("copied"));
      }, function () {
        show(text);
      });
    } else {
      show(text);
    }
  };

  P.focusables = function () {
    return this.host.querySelectorAll("a[href], button:not([disabled]), input, select, [tabindex='0']");
  };

  P.focusFirst = function () {
    var all = this.focusables();
    if (all.length) all[0].focus();
  };

  // The dialog: modal, labelled by its title; Tab and Shift+Tab stay inside, Escape closes and
  // focus goes back to the launcher.
  P.openDialog = function () {
    var self = this;
    var dialog = self.host;
    dialog.addEventListener("keydown", function (ev) {
      if (ev.key !== "Tab") return;
      var all = self.focusables();
      if (!all.length) return;
      var first = all[0];
      var last = all[all.length - 1];
      if (ev.shiftKey && document.activeElement === first) {
        ev.preventDefault();
        last.focus();
      } else if (!ev.shiftKey && document.activeElement === last) {
        ev.preventDefault();
        first.focus();
      }
    });
    function collapsed() {
      self.launcher.setAttribute("aria-expanded", "false");
    }
    // Escape fires "cancel" at once; "close" comes a task later, after the browser moved focus.
    dialog.addEventListener("cancel", collapsed);
    dialog.addEventListener("close", function () {
      collapsed();
      self.launcher.focus();
    });
    self.show();
  };

  P.show = function () {
    this.host.showModal();
    this.launcher.setAttribute("aria-expanded", "true");
    this.focusFirst();
    this.load();
  };

  P.close = function () {
    this.host.close();
  };

  var dialogPanel = null;

  window.KlubbPanel = {
    open: function (root, launcher) {
      if (dialogPanel) return dialogPanel.show();
      var dialog = h("dialog", { class: "klubb-panel", "aria-labelledby": "klubb-d-title" });
      root.appendChild(dialog);
      dialogPanel = new Panel(root, dialog, launcher);
      dialogPanel.build();
      dialogPanel.openDialog();
    }
  };

  // The loyalty-page block: the same views, inline.
  var pages = document.querySelectorAll("[data-klubb-page]");
  for (var i = 0; i < pages.length; i++) {
    new Panel(pages[i], pages[i], null).load();
  }
})();
