// Lint rules, including the import boundaries of DESIGN.md: dependencies point down towards
// units/ and errors/; only cli/ knows concrete backends; nothing imports cli/.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const forbid = (...groups) => ({
  "no-restricted-imports": [
    "error",
    { patterns: groups.map((group) => ({ group, message: "Import boundary of DESIGN.md." })) },
  ],
});

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "test/fixtures/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        URL: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        Buffer: "readonly",
        SharedArrayBuffer: "readonly",
        Atomics: "readonly",
        TextDecoder: "readonly",
        TextEncoder: "readonly",
        fetch: "readonly",
        AbortController: "readonly",
        AbortSignal: "readonly",
        performance: "readonly",
        queueMicrotask: "readonly",
        setImmediate: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // CommonJS files (the CLI's launcher): require() is how they import.
    files: ["**/*.cjs"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { require: "readonly", module: "writable", __dirname: "readonly", __filename: "readonly" },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  { files: ["src/units/**"], rules: forbid(["../**"]) },
  { files: ["src/errors/**"], rules: forbid(["../**"]) },
  {
    files: ["src/data/**"],
    rules: forbid([
      "**/hardware/**",
      "**/intensity/**",
      "**/tracker/**",
      "**/logs/**",
      "**/cli/**",
      "**/reports/**",
    ]),
  },
  {
    files: ["src/hardware/**"],
    rules: forbid([
      "**/tracker/**",
      "**/logs/**",
      "**/cli/**",
      "**/intensity/**",
      "**/reports/**",
      "**/exporters/**",
    ]),
  },
  {
    files: ["src/intensity/**"],
    rules: forbid(["**/hardware/**", "**/tracker/**", "**/cli/**", "**/logs/**", "**/reports/**"]),
  },
  {
    files: ["src/prediction/**"],
    rules: forbid(["**/hardware/**", "**/intensity/**", "**/tracker/**", "**/cli/**", "**/logs/**"]),
  },
  {
    files: [
      "src/logs/**",
      "src/reports/**",
      "src/exporters/**",
      "src/tracker/**",
      "src/sampling/**",
      "src/cluster/**",
      "src/testing/**",
      "src/ipc/**",
      "src/index.ts",
    ],
    rules: forbid(["**/cli/**"]),
  },
);
