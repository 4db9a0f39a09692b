// The two server-rendered pages: the sign-in form (works without JavaScript) and the shell the bundle runs in.

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * Where to go after signing in: a path of this dashboard only, never another site (`//host` and `/\host` are
 * both another host to a browser).
 */
export function safeNext(next: string | null | undefined): string {
  if (next === null || next === undefined || !/^\/(?![/\\])[\w\-./?=&%~+:@]*$/.test(next)) return '/';
  return next;
}

export function signInPage(next: string, refusal: string | undefined): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Baleen</title>
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
<main class="sign-in">
<h1>Baleen</h1>
<p>This server's dashboard needs one of its tokens (the one your clients use as <code>BALEEN_TOKEN</code>).</p>
${refusal === undefined ? '' : `<p class="refusal" role="alert">${escapeHtml(refusal)}</p>`}
<form method="post" action="/sign-in">
<input type="hidden" name="next" value="${escapeHtml(next)}">
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>
`;
}

export function appShell(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Baleen</title>
<link rel="stylesheet" href="/assets/app.css">
<script type="module" src="/assets/app.js"></script>
</head>
<body>
<div id="app"><p class="loading">Loading the dashboard…</p></div>
</body>
</html>
`;
}
