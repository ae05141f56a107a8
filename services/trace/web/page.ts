// The consumer page's script: the language switch, and the browser's own check of the page's
// claims. It fetches the lot's verification bundle and runs packages/ledger's verifier over it
// (services/trace/src/resolver/verify-bundle.ts); "verified" only once every check passed.
import { verifyBundle, type BundleFailure } from '../src/resolver/verify-bundle.ts';
import type { VerificationBundle } from '../src/resolver/bundle-types.ts';

type Lang = 'zh-CN' | 'en';
const LANG_KEY = 'milkchain.lang';

function both(zh: string, en: string): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  return `<span lang="zh-CN">${esc(zh)}</span><span lang="en">${esc(en)}</span>`;
}

function setLang(lang: Lang, remember: boolean): void {
  document.documentElement.lang = lang;
  const other: Lang = lang === 'en' ? 'zh-CN' : 'en';
  const sw = document.getElementById('lang-switch') as HTMLAnchorElement | null;
  if (sw) {
    const q = new URLSearchParams(location.search);
    q.set('lang', other);
    sw.href = `?${q.toString()}`;
    sw.dataset.lang = other;
    sw.hreflang = other;
  }
  if (remember) {
    try {
      localStorage.setItem(LANG_KEY, lang);
    } catch {
      // private mode: the choice lasts for this page only
    }
    const url = new URL(location.href);
    url.searchParams.set('lang', lang);
    history.replaceState(null, '', url);
  }
}

function initLang(): void {
  const asked = new URLSearchParams(location.search).get('lang');
  let saved: string | null;
  try {
    saved = localStorage.getItem(LANG_KEY);
  } catch {
    saved = null; // storage refused (private mode)
  }
  if (asked === 'en' || asked === 'zh-CN') setLang(asked, true);
  else if (saved === 'en' || saved === 'zh-CN') setLang(saved, false);
  document.getElementById('lang-switch')?.addEventListener('click', (ev) => {
    ev.preventDefault();
    setLang(document.documentElement.lang === 'en' ? 'zh-CN' : 'en', true);
  });
}

const CHECK_NAMES: Record<BundleFailure['check'], [string, string]> = {
  bundle: ['数据包无效', 'the bundle is not valid'],
  checkpoint: ['日志检查点签名无效', 'the log checkpoint signature does not verify'],
  hash: ['事件内容被改动（哈希不符）', 'the event was changed (its hash does not match)'],
  chain: ['追溯链不完整或不一致', 'the chain of custody is broken'],
  signature: ['签名无效', 'the signature does not verify'],
  inclusion: ['不在已签名的日志中', 'not proven in the signed log'],
};

async function verify(): Promise<void> {
  const main = document.getElementById('page');
  const box = document.getElementById('verify');
  const status = document.getElementById('verify-status');
  const progress = document.getElementById('verify-progress') as HTMLProgressElement | null;
  const detail = document.getElementById('verify-detail');
  if (!main || !box || !status || !detail) return;
  const failed = (zh: string, en: string, lines: string[]) => {
    box.dataset.state = 'failed';
    status.innerHTML = both(`验证失败：${zh}`, `Verification failed: ${en}`);
    detail.innerHTML = lines.join('<br>');
  };
  let bundle: VerificationBundle;
  try {
    const res = await fetch(main.dataset.bundle!, { headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    bundle = (await res.json()) as VerificationBundle;
  } catch (err) {
    failed('无法获取验证数据', 'the verification data could not be fetched', [String((err as Error).message)]);
    return;
  }
  const report = await verifyBundle(bundle, {
    expectedLot: main.dataset.lot!,
    onProgress(done, total) {
      if (progress) {
        progress.max = total;
        progress.value = done;
      }
      status.innerHTML = both(`正在验证… ${done}/${total}`, `Verifying… ${done}/${total}`);
    },
  });
  // The page may only cite events the browser has checked.
  const bad = new Set(report.failures.map((f) => f.event?.id));
  const ids = new Set(bundle.entries.map((e) => e.id));
  const cited = (main.dataset.cited ?? '').split(' ').filter(Boolean);
  const unbacked = cited.filter((id) => !ids.has(id));
  if (!report.ok || unbacked.length > 0) {
    const lines = report.failures.slice(0, 8).map((f) => {
      const [zh, en] = CHECK_NAMES[f.check];
      const ev = f.event ? `${f.event.kind} · ${f.event.subject} · ${f.event.id.slice(0, 12)}` : '';
      return `<span class="failure" data-check="${f.check}"${f.event ? ` data-event-id="${f.event.id}"` : ''}>${both(zh, en)}${ev ? `: <code>${ev.replace(/[<>&]/g, '')}</code>` : ''}</span>`;
    });
    for (const id of unbacked.slice(0, 4)) lines.push(`<span class="failure" data-check="cited">${both('页面引用了未提供的事件', 'the page cites an event the bundle lacks')}: <code>${id.slice(0, 12)}</code></span>`);
    const first = report.failures.find((f) => f.event) ?? report.failures[0];
    const what = first?.event ? `${first.event.kind} ${first.event.id.slice(0, 12)}` : (first?.check ?? 'cited');
    failed(`${CHECK_NAMES[first?.check ?? 'bundle'][0]} (${what})`, `${CHECK_NAMES[first?.check ?? 'bundle'][1]} (${what})`, lines);
    box.dataset.failedEvents = [...bad].filter(Boolean).join(' ');
    return;
  }
  box.dataset.state = 'verified';
  status.innerHTML = both('已验证', 'Verified');
  const cp = report.checkpoint!;
  detail.innerHTML = both(
    `本机已核对 ${report.verified} 个事件的哈希、签名、追溯链与包含证明，对照 ${cp.issuedAt} 签发、含 ${cp.treeSize} 条记录的日志检查点。`,
    `This device checked the hash, signature, chain links and inclusion proof of ${report.verified} events against the log checkpoint of ${cp.treeSize} entries signed at ${cp.issuedAt}.`,
  );
}

initLang();
void verify();
