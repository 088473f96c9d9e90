// The /login page: one inline-styled form in the app's colours (web/theme.css), light or dark as the system prefers.

/** web/theme.css's variables this page uses; its CSP allows inline style and nothing else. */
const STYLE = `:root{color-scheme:light dark;--text:light-dark(#212529,#e9ecef);--bg:light-dark(#fff,#17181c);
--panel:light-dark(#fafafa,#1d1f23);--control:light-dark(#fff,#2a2c31);--border:light-dark(#dee2e6,#3a3d44);
--muted:light-dark(#868e96,#9aa0a8);--accent:light-dark(#1971c2,#4dabf7);--on-accent:light-dark(#fff,#0b1724);
--danger:light-dark(#c92a2a,#ff8787);--danger-bg:light-dark(#fff5f5,#3a1d1f)}
body{margin:0;min-height:100vh;display:grid;place-items:center;font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;
color:var(--text);background:var(--bg)}
form{display:grid;gap:12px;width:min(340px,calc(100vw - 40px));padding:24px;box-sizing:border-box;
border:1px solid var(--border);border-radius:10px;background:var(--panel);
box-shadow:0 8px 30px light-dark(rgb(0 0 0/.08),rgb(0 0 0/.5))}
h1{margin:0;font-size:20px}h1 span{color:var(--accent)}
p{margin:0;font-size:13px;color:var(--muted)}
label{font-size:13px;font-weight:600}
input{font:inherit;padding:8px 10px;border:1px solid var(--border);border-radius:6px;background:var(--control);color:inherit}
input:focus-visible,button:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
button{font:inherit;font-weight:600;padding:8px 12px;border:1px solid var(--accent);border-radius:6px;
background:var(--accent);color:var(--on-accent);cursor:pointer}
.error{padding:8px 10px;border-radius:6px;color:var(--danger);background:var(--danger-bg)}`;

export function loginPage(failed: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Log in · Dinobase</title>
<style>${STYLE}</style></head>
<body><form method="post" action="/api/login">
<h1><span>Dinobase</span> · log in</h1>
<p>This server asks for its access token, once per browser.</p>
<label for="token">Access token (DINOBASE_TOKEN)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
${failed ? '<p class="error" role="alert">Wrong token, or too many attempts.</p>' : ''}
<button type="submit">Log in</button>
</form></body></html>`;
}
