// eslint (flat config): correctness rules only, no formatting (Odoo's own
// code style is not enforced here). Run by tools/lint through pre-commit.
import js from "@eslint/js";
import globals from "globals";

export default [
    {
        ignores: ["**/node_modules/**", "**/lib/**"],
    },
    js.configs.recommended,
    {
        // What every file may rely on.
        linterOptions: { reportUnusedDisableDirectives: "error" },
        rules: {
            "no-unused-vars": ["error", { args: "none", caughtErrors: "none", ignoreRestSiblings: true }],
            eqeqeq: ["error", "smart"],
            "no-implicit-globals": "error",
            "no-eval": "error",
            "no-implied-eval": "error",
            "no-new-func": "error",
            "no-self-compare": "error",
            "no-template-curly-in-string": "error",
            "no-unmodified-loop-condition": "error",
            "no-unreachable-loop": "error",
            "no-constructor-return": "error",
            "array-callback-return": "error",
        },
    },
    {
        // The operator's side and the tours, the bridges' (bridges/) too:
        // Odoo 17 ES modules in the web client (`odoo` is the web client's
        // global).
        files: [
            "static/src/backend/**/*.js",
            "static/tests/**/*.js",
            "bridges/*/static/src/**/*.js",
            "bridges/*/static/tests/**/*.js",
        ],
        languageOptions: {
            ecmaVersion: 2022,
            sourceType: "module",
            globals: { ...globals.browser, odoo: "readonly", owl: "readonly", luxon: "readonly" },
        },
    },
    {
        // The visitor's widget: plain scripts the server wraps in a function
        // and prepends with its settings (see controllers/embed.py).
        files: ["static/src/widget/**/*.js"],
        languageOptions: {
            ecmaVersion: 2022,
            sourceType: "script",
            globals: {
                ...globals.browser,
                LIVE_CHAT_BASE: "readonly",
                LIVE_CHAT_CHANNEL: "readonly",
                LIVE_CHAT_WINDOW: "readonly",
                LIVE_CHAT_BUS: "readonly",
            },
            parserOptions: { ecmaFeatures: { globalReturn: true } },
        },
    },
];
