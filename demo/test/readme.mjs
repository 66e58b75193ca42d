// README's curl lines, for .ci/smoke (smoke.mjs): finding them in sh
// blocks with the status documented beside them, and splitting one into
// curl's arguments without a shell. The convention is written in .ci/smoke.

// words splits a command line as a POSIX shell would, for the plain subset
// a README curl line uses: words, '...' and "..." quoting, backslash
// escapes and a trailing # comment. Anything else (variables, pipes,
// redirections, substitutions) throws: such a line cannot run as written.
export function words(line) {
	const out = [];
	let cur = null;
	for (let i = 0; i < line.length; i++) {
		const c = line[i];
		if (c === ' ' || c === '\t') {
			if (cur !== null) out.push(cur);
			cur = null;
		} else if (c === '#' && cur === null) {
			break;
		} else if (c === "'") {
			const end = line.indexOf("'", i + 1);
			if (end < 0) throw new Error('unclosed \'');
			cur = (cur ?? '') + line.slice(i + 1, end);
			i = end;
		} else if (c === '"') {
			cur = cur ?? '';
			for (i++; i < line.length && line[i] !== '"'; i++) {
				if (line[i] === '\\' && '"\\$`'.includes(line[i + 1])) cur += line[++i];
				else if ('$`'.includes(line[i])) throw new Error(`uses ${line[i]} inside "..."`);
				else cur += line[i];
			}
			if (i >= line.length) throw new Error('unclosed "');
		} else if (c === '\\') {
			cur = (cur ?? '') + (line[++i] ?? '');
		} else if ('|&;<>()$`'.includes(c)) {
			throw new Error(`uses shell syntax ${c}`);
		} else {
			cur = (cur ?? '') + c;
		}
	}
	if (cur !== null) out.push(cur);
	return out;
}

// quote writes a word for a POSIX shell, quoted when it needs it.
export function quote(w) {
	return /^[A-Za-z0-9@%+=:,./_-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`;
}

// curlLines finds README's curl commands in sh blocks: each with its line
// number, its text (continuation lines joined) and the status documented
// on the line right after it ("# → 200"), if any.
export function curlLines(text) {
	const lines = text.split('\n');
	const found = [];
	let fence = null;
	for (let i = 0; i < lines.length; i++) {
		const fenceMatch = /^\s*(```+|~~~+)\s*([\w-]*)/.exec(lines[i]);
		if (fenceMatch) {
			if (fence === null) fence = { mark: fenceMatch[1], lang: fenceMatch[2] };
			else if (lines[i].trim().startsWith(fence.mark)) fence = null;
			continue;
		}
		if (fence === null || !['sh', 'bash', 'shell', 'console', ''].includes(fence.lang)) continue;
		const start = i;
		let cmd = lines[i].replace(/^\s*\$\s+/, '').trim();
		while (cmd.endsWith('\\') && i + 1 < lines.length) cmd = cmd.slice(0, -1) + ' ' + lines[++i].trim();
		if (!/^curl\s/.test(cmd)) continue;
		const doc = /^\s*#\s*(?:→|->)\s*(\d{3})\s*$/.exec(lines[i + 1] || '');
		found.push({ line: start + 1, cmd, status: doc ? Number(doc[1]) : null });
	}
	return found;
}
