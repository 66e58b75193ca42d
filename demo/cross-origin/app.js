// A front end on another origin than its token endpoint: it gets a session
// JWT from its own origin (a stand-in for the app's login), then calls the
// tokenmint endpoint cross-origin with fetch(), a JSON body and a Bearer
// session, as a single-page app does. No framework.
'use strict';

const $ = (id) => document.getElementById(id);

function decode(part) {
	const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
	return JSON.parse(decodeURIComponent(escape(atob(b64 + '==='.slice((b64.length + 3) % 4)))));
}

async function call() {
	const card = $('result');
	card.dataset.state = 'busy';
	$('status').textContent = 'calling…';
	for (const id of ['request', 'token', 'claims']) $(id).textContent = '';
	try {
		const cfg = await (await fetch('/config.json')).json();
		const session = await (await fetch('/session')).json();
		const url = cfg.api + '/cross-origin/hms-token';
		const body = JSON.stringify({ room_id: '633fcdd84208780bf665346a' });
		$('request').textContent = `POST ${url}\nAuthorization: Bearer ${session.token.slice(0, 16)}…\nContent-Type: application/json\n\n${body}`;
		const res = await fetch(url, {
			method: 'POST',
			headers: { Authorization: 'Bearer ' + session.token, 'Content-Type': 'application/json' },
			body,
		});
		const answer = await res.json();
		$('status').textContent = `${res.status} ${res.statusText || ''}`.trim();
		$('status').dataset.status = String(res.status);
		if (!res.ok) throw new Error(answer.msg || answer.error_description || `HTTP ${res.status}`);
		$('token').textContent = answer.token;
		$('claims').textContent = JSON.stringify(decode(answer.token.split('.')[1]), null, 2);
		card.dataset.state = 'done';
	} catch (err) {
		// A call the browser blocks (an origin the endpoint does not list)
		// rejects with a TypeError before any answer: the page cannot even
		// read the status.
		card.dataset.state = 'blocked';
		$('status').textContent = `blocked: ${err.name}: ${err.message}`;
	}
}

document.addEventListener('DOMContentLoaded', async () => {
	$('origin').textContent = location.origin;
	try {
		$('api').textContent = (await (await fetch('/config.json')).json()).api;
	} catch {
		$('api').textContent = '(no /config.json)';
	}
	$('call').addEventListener('click', call);
	document.body.dataset.ready = 'true';
});
