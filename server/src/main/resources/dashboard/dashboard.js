// Patchtide dashboard: reads the dashboard's JSON routes (the API's own answers, behind the session
// cookie) and fills the page. Data only ever goes in through textContent, never as HTML.
'use strict';

const $ = (id) => document.getElementById(id);

async function getJson(path) {
  const response = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (response.status === 401) {
    window.location.assign('/dashboard/login');
    throw new Error('not signed in');
  }
  const body = await response.json();
  if (!response.ok) {
    throw new Error(body.message || ('HTTP ' + response.status));
  }
  return body;
}

async function postJson(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  return { ok: response.ok, body: answer };
}

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text === undefined || text === null ? '' : String(text);
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function tagList(container, tags) {
  container.textContent = '';
  for (const tag of tags || []) {
    const span = document.createElement('span');
    span.className = 'tag';
    span.textContent = tag.Key + '=' + tag.Value;
    if (container.childNodes.length) container.appendChild(document.createTextNode(' '));
    container.appendChild(span);
  }
}

function when(epochSeconds) {
  return epochSeconds ? new Date(epochSeconds * 1000).toLocaleString() : 'never';
}

function groupName(group) {
  return group ? group : '(none)';
}

function showError(error) {
  $('error').textContent = 'Could not load: ' + error.message;
}

function wireSignOut() {
  const button = $('sign-out');
  if (!button) return;
  button.addEventListener('click', async () => {
    await postJson('/dashboard/logout', {});
    window.location.assign('/dashboard/login');
  });
}

async function signInWithLink() {
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token');
  if (!token) return;
  // Drop the one-time token from the address bar and history before using it.
  history.replaceState(null, '', '/dashboard/login');
  $('link-status').textContent = 'Signing in with the login link…';
  const result = await postJson('/dashboard/login/link', { Token: token });
  if (result.ok) {
    window.location.assign('/dashboard/');
    return;
  }
  $('link-status').textContent = 'That login link has expired or was already used. Sign in with a key instead.';
}

async function loginPage() {
  const form = $('login-form');
  // A link opened while this page is already shown only changes the fragment: no reload.
  window.addEventListener('hashchange', signInWithLink);
  await signInWithLink();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    $('login-error').textContent = '';
    const result = await postJson('/dashboard/login', {
      AccessKeyId: $('access-key-id').value.trim(),
      SecretAccessKey: $('secret-access-key').value.trim(),
    });
    if (result.ok) {
      window.location.assign('/dashboard/');
    } else {
      $('login-error').textContent = result.body.message || 'Sign-in failed.';
    }
  });
}

async function fleetPage() {
  try {
    const summary = await getJson('/dashboard/api/summary');
    const total = summary.Total;
    $('total-instances').textContent = total.InstanceCount;
    $('total-compliant').textContent = total.CompliantCount;
    $('total-non-compliant').textContent = total.NonCompliantCount;
    $('total-not-scanned').textContent = total.NotScannedCount;
    $('total-critical').textContent = total.CriticalNonCompliantCount;
    $('total-security').textContent = total.SecurityNonCompliantCount;
    $('total-other').textContent = total.OtherNonCompliantCount;
    $('generated').textContent = 'Counts as of ' + when(summary.GeneratedAt) + ' (refreshed at least every 10 seconds).';
    const body = document.querySelector('#groups tbody');
    body.textContent = '';
    for (const group of summary.PatchGroups) {
      const row = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = groupName(group.PatchGroup);
      row.appendChild(th);
      for (const field of ['InstanceCount', 'CompliantCount', 'NonCompliantCount', 'NotScannedCount',
        'CriticalNonCompliantCount', 'SecurityNonCompliantCount', 'OtherNonCompliantCount']) {
        cell(row, group[field], 'num');
      }
      body.appendChild(row);
    }
    await loadNonCompliant(null);
  } catch (error) {
    showError(error);
  }
}

async function loadNonCompliant(nextToken) {
  let path = '/dashboard/api/instances?status=NON_COMPLIANT';
  if (nextToken) path += '&nextToken=' + encodeURIComponent(nextToken);
  const page = await getJson(path);
  const body = document.querySelector('#non-compliant tbody');
  for (const instance of page.Instances) {
    const row = document.createElement('tr');
    const nameCell = document.createElement('th');
    nameCell.scope = 'row';
    const link = document.createElement('a');
    link.href = '/dashboard/instance?id=' + encodeURIComponent(instance.InstanceId);
    link.textContent = instance.Name || instance.ComputerName || instance.InstanceId;
    nameCell.appendChild(link);
    row.appendChild(nameCell);
    cell(row, instance.InstanceId, 'mono');
    cell(row, groupName(instance.PatchGroup));
    cell(row, instance.CriticalNonCompliantCount, 'num');
    cell(row, instance.SecurityNonCompliantCount, 'num');
    cell(row, instance.OtherNonCompliantCount, 'num');
    tagList(cell(row, ''), instance.Tags);
    body.appendChild(row);
  }
  $('none-non-compliant').hidden = body.children.length > 0;
  const more = $('more');
  more.hidden = !page.NextToken;
  more.onclick = page.NextToken ? () => loadNonCompliant(page.NextToken).catch(showError) : null;
}

async function instancePage() {
  const id = new URLSearchParams(window.location.search).get('id') || '';
  try {
    const answer = await getJson('/dashboard/api/instances/' + encodeURIComponent(id));
    const instance = answer.Instance;
    const name = instance.Name || instance.ComputerName || instance.InstanceId;
    $('instance-name').textContent = name;
    document.title = name + ' · Patchtide';
    $('instance-id').textContent = instance.InstanceId;
    $('computer-name').textContent = instance.ComputerName || '–';
    $('ping-status').textContent = instance.PingStatus;
    $('status').textContent = instance.Status;
    $('status').className = 'status-' + instance.Status;
    $('patch-group').textContent = groupName(instance.PatchGroup);
    $('baseline').textContent = instance.BaselineId || '–';
    $('last-scan').textContent = when(instance.LastScanTime);
    $('counts').textContent = instance.MissingCount === undefined ? '–'
      : instance.CriticalNonCompliantCount + ' / ' + instance.SecurityNonCompliantCount + ' / '
        + instance.OtherNonCompliantCount;
    $('reboot').textContent = instance.RebootRequired === undefined ? '–' : (instance.RebootRequired ? 'yes' : 'no');
    tagList($('tags'), instance.Tags);
    const body = document.querySelector('#patches tbody');
    body.textContent = '';
    for (const patch of answer.Patches) {
      const row = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = patch.Title;
      row.appendChild(th);
      cell(row, patch.KBId, 'mono');
      cell(row, patch.Classification);
      cell(row, patch.Severity);
      cell(row, patch.State);
      cell(row, (patch.CVEIds || '').split(',').filter(Boolean).join(', '));
      body.appendChild(row);
    }
    $('no-patches').hidden = answer.Patches.length > 0;
  } catch (error) {
    showError(error);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  wireSignOut();
  const page = document.body.dataset.page;
  if (page === 'login') loginPage();
  else if (page === 'fleet') fleetPage();
  else if (page === 'instance') instancePage();
});
