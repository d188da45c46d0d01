/** @odoo-module */

// What the operator-side tours share: the visitor's calls (no Odoo cookie),
// the operator's own ORM calls, and pressing Enter in mail's composer.

/** JSON-RPC call to a public live chat route, as a visitor: no Odoo cookie. */
export async function visitorCall(route, params) {
    const response = await fetch(route, {
        method: "POST",
        credentials: "omit",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", method: "call", id: Date.now(), params }),
    });
    const data = await response.json();
    if (data.error) {
        throw new Error(`${route}: ${JSON.stringify(data.error)}`);
    }
    return data.result;
}

/** An ORM call as the logged-in user of the tour. */
export async function callKw(model, method, args, kwargs = {}) {
    const response = await fetch(`/web/dataset/call_kw/${model}/${method}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", method: "call", params: { model, method, args, kwargs } }),
    });
    const data = await response.json();
    if (data.error) {
        throw new Error(`${model}.${method}: ${JSON.stringify(data.error)}`);
    }
    return data.result;
}

/** The id of the live chat channel named `name`. */
export async function channelId(name) {
    return (await callKw("live_chat.channel", "search_read", [[["name", "=", name]], ["id"]]))[0].id;
}

export function pressEnter(element) {
    element.dispatchEvent(
        new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true })
    );
}
