/** @odoo-module */

// The visitor's widget in the page's language (issue 19), run by
// tests/test_i18n_widget.py on the website's /fr/ and /ar/ pages with the
// default channel, whose texts come from the shipped .po files. The widget
// lives in an open shadow root, so the single step queries it itself.

import { registry } from "@web/core/registry";

const host = () => document.querySelector(".o_live_chat_widget");
const q = (selector) => host() && host().shadowRoot && host().shadowRoot.querySelector(selector);

function until(check, what, ms = 20000) {
    const start = Date.now();
    return new Promise((resolve, reject) => {
        (function poll() {
            let value;
            try {
                value = check();
            } catch {
                value = null;
            }
            if (value) {
                resolve(value);
            } else if (Date.now() - start > ms) {
                reject(new Error("timed out waiting for " + what));
            } else {
                setTimeout(poll, 100);
            }
        })();
    });
}

function expect(actual, expected, what) {
    if (actual !== expected) {
        throw new Error(`${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
    }
}

/** Opens the window, checks the welcome and the input, sends `text`: the acknowledged message. */
async function openAndSend(texts, text) {
    const button = await until(() => q("button.btn[data-live-chat-button]"), "the button");
    expect(button.querySelector(".label").textContent, texts.button, "the button's text");
    button.click();
    const input = await until(() => q(".win .compose textarea"), "the chat window");
    await until(() => q(".msg .body") && q(".msg .body").textContent === texts.welcome, "the welcome: " + texts.welcome);
    expect(input.placeholder, texts.placeholder, "the input's placeholder");
    expect(q(".compose .send").getAttribute("aria-label"), texts.send, "the send button");
    input.value = text;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    q(".compose .send").click();
    return until(
        () => [...host().shadowRoot.querySelectorAll(".msg.me[data-id]:not(.pending)")].find(
            (node) => node.querySelector(".body").textContent === text
        ),
        "my message acknowledged"
    );
}

function languageTour(name, body) {
    registry.category("web_tour.tours").add(name, {
        test: true,
        steps: () => [
            {
                content: name,
                trigger: "body",
                async run() {
                    try {
                        await body();
                        document.body.classList.add("o_live_chat_language_tour_done");
                    } catch (error) {
                        console.error(`${name} failed: ${error.message}`);
                    }
                },
            },
            { content: "done", trigger: "body.o_live_chat_language_tour_done", isCheck: true },
        ],
    });
}

languageTour("live_chat_language_french", async () => {
    const mine = await openAndSend(
        {
            button: "Une question ? Discutez avec nous.",
            welcome: "Bonjour, comment puis-je vous aider ?",
            placeholder: "Posez votre question...",
            send: "Envoyer",
        },
        "Bonjour, je cherche un cadeau"
    );
    expect(host().lang, "fr-FR", "the widget's lang");
    expect(host().dir, "ltr", "the widget's dir");
    expect(q(".head .endc").textContent, "Terminer", "the end button");
    // The time in French: 24-hour clock, whatever the browser's own language.
    const time = mine.querySelector("time.at");
    const expected = new Date(time.dateTime).toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });
    expect(time.textContent, expected, "the message's time");
    if (/AM|PM/.test(time.textContent)) {
        throw new Error("the time is not in the French format: " + time.textContent);
    }
});

languageTour("live_chat_language_arabic", async () => {
    const button = await until(() => q("button.btn[data-live-chat-button]"), "the button");
    expect(host().dir, "rtl", "the widget's dir");
    expect(host().lang, "ar-001", "the widget's lang");
    // Mirrored: the button in the bottom-left corner.
    const rect = button.getBoundingClientRect();
    if (Math.round(rect.left) !== 20 || rect.right > innerWidth / 2) {
        throw new Error(`the button is not bottom-left: left ${rect.left}, right ${rect.right} of ${innerWidth}`);
    }
    if (Math.round(innerHeight - rect.bottom) !== 20) {
        throw new Error(`the button is not at the bottom: ${rect.bottom} of ${innerHeight}`);
    }
    const mine = await openAndSend(
        {
            button: "هل لديك سؤال؟ تحدث إلينا.",
            welcome: "مرحبًا، كيف يمكنني مساعدتك؟",
            placeholder: "اسأل عن أي شيء...",
            send: "إرسال",
        },
        "مرحبا، أبحث عن هدية"
    );
    const win = q(".win").getBoundingClientRect();
    if (Math.round(win.left) !== 20) {
        throw new Error("the window is not on the left: " + win.left);
    }
    expect(getComputedStyle(q(".compose textarea")).direction, "rtl", "the input's direction");
    // The visitor's bubbles on the left, the operator's (the welcome) on the right.
    const list = q(".list").getBoundingClientRect();
    const middle = list.left + list.width / 2;
    const theirs = q(".msg:not(.me)").getBoundingClientRect();
    const own = mine.getBoundingClientRect();
    if (!(own.left < middle && own.right < theirs.right && theirs.right > middle)) {
        throw new Error(`bubbles not mirrored: mine ${own.left}-${own.right}, theirs ${theirs.left}-${theirs.right}`);
    }
});
