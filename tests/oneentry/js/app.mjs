// A OneEntry app against Portico, written as the SDK's documentation shows, with the SDK's
// response validation on in strict mode. The black-box test passes the case as JSON in
// ONEENTRY_CASE; the script asserts what it can see itself and prints what it observed (one
// JSON line) for the test to check against the server.
import assert from 'node:assert/strict';
import { defineOneEntry } from 'oneentry';

const c = JSON.parse(process.env.ONEENTRY_CASE);
const api = defineOneEntry(c.base, {
  token: c.appToken,
  langCode: 'en_US',
  validation: { enabled: true, strictMode: true, logErrors: false },
  auth: { customAuth: c.customAuth, providerMarker: c.provider },
  errors: { isShell: c.isShell },
});
const { AuthProvider, Users, Forms } = api;

// An SDK call as the app makes it: answers {ok} or {error}, and checks that errors arrive as
// the configuration says (returned with `isShell`, thrown without it).
async function attempt(call) {
  try {
    const answer = await call();
    if (answer && typeof answer === 'object' && typeof answer.statusCode === 'number' && answer.statusCode >= 400) {
      assert.ok(c.isShell, `an error was returned with isShell off: ${JSON.stringify(answer)}`);
      return { error: answer };
    }
    return { ok: answer };
  } catch (error) {
    assert.ok(!c.isShell, `an error was thrown with isShell on: ${JSON.stringify(error)}`);
    return { error };
  }
}

async function must(call, what) {
  const result = await attempt(call);
  assert.ok('ok' in result, `${what} failed: ${JSON.stringify(result.error)}`);
  return result.ok;
}

const seen = {};

// Providers and forms.
const providers = await must(() => AuthProvider.getAuthProviders(), 'getAuthProviders');
seen.providers = providers.map((p) => p.identifier);
const provider = await must(() => AuthProvider.getAuthProviderByMarker(c.provider), 'getAuthProviderByMarker');
assert.equal(provider.identifier, c.provider);
assert.equal(typeof provider.id, 'number');
seen.providerForm = provider.formIdentifier;
const forms = await must(() => Forms.getAllForms(), 'getAllForms');
assert.equal(forms.total, forms.items.length);
seen.forms = forms.items.map((f) => f.identifier);
const form = await must(() => Forms.getFormByMarker(c.form), 'getFormByMarker');
assert.equal(form.identifier, c.form);
seen.formTitle = form.localizeInfos.title;
seen.formFields = Object.values(form.attributes).map((a) => a.marker);

// Sign-in by the provider's markers.
const authData = [
  { marker: c.loginMarker, value: c.email },
  { marker: c.passwordMarker, value: c.password },
];
const wrong = await attempt(() => AuthProvider.auth(c.provider, {
  authData: [authData[0], { marker: c.passwordMarker, value: 'not-the-password' }],
}));
seen.wrongPassword = wrong.error && { statusCode: wrong.error.statusCode, code: wrong.error.code };
const signedIn = await must(() => AuthProvider.auth(c.provider, { authData }), 'auth');
assert.equal(signedIn.authProviderIdentifier, c.provider);
seen.userIdentifier = signedIn.userIdentifier;

// updateUser in the three shapes of formData: a list, one object, a language map.
const [first, ...rest] = c.values;
assert.equal(await must(() => Users.updateUser({ formIdentifier: c.form, formData: rest }), 'updateUser (list)'), true);
assert.equal(await must(() => Users.updateUser({ formIdentifier: c.form, formData: first }), 'updateUser (object)'), true);
assert.equal(await must(() => Users.updateUser({
  formIdentifier: c.form,
  formData: { en_US: c.mapValues },
  notificationData: { email: c.email, phonePush: ['+99999999999'], phoneSMS: '+99999999999' },
  state: { theme: 'dark' },
}), 'updateUser (map)'), true);
const violation = await attempt(() => Users.updateUser({ formIdentifier: c.form, formData: [c.badValue] }));
seen.violation = violation.error && {
  statusCode: violation.error.statusCode,
  code: violation.error.code,
  details: violation.error.details,
};
const user = await must(() => Users.getUser(), 'getUser');
assert.equal(typeof user.id, 'number');
seen.user = user;

// An access token the server no longer accepts (as after its 15 minutes): the SDK refreshes by
// itself and retries, unless the app handles auth itself (customAuth).
const before = { access: Users.state.accessToken, refresh: Users.state.refreshToken };
Users.setAccessToken('pat_expired');
const afterExpiry = await attempt(() => Users.getUser());
seen.afterExpiry = 'ok' in afterExpiry
  ? { ok: true, rotated: Users.state.refreshToken !== before.refresh }
  : { statusCode: afterExpiry.error.statusCode };
if (c.customAuth) {
  // The app refreshes itself, with the token it kept.
  const fresh = await must(() => AuthProvider.refresh(c.provider, before.refresh), 'refresh');
  assert.equal(fresh.authProviderIdentifier, c.provider);
}

// Two tabs refreshing with the same token at once: both stay signed in.
const shared = Users.state.refreshToken;
const both = await Promise.all([
  attempt(() => AuthProvider.refresh(c.provider, shared)),
  attempt(() => AuthProvider.refresh(c.provider, shared)),
]);
seen.concurrentRefreshes = both.map((r) => ('ok' in r ? 'ok' : r.error.statusCode));

// Sessions, then sign-out of this one and of all.
const sessions = await must(() => AuthProvider.getActiveSessionsByMarker(c.provider), 'getActiveSessionsByMarker');
seen.sessions = sessions;
const current = Users.state.refreshToken;
assert.equal(await must(() => AuthProvider.logout(c.provider, current), 'logout'), true);
const afterLogout = await attempt(() => Users.getUser());
seen.afterLogout = 'ok' in afterLogout ? 'ok' : afterLogout.error.statusCode;
const elsewhere = await must(() => AuthProvider.auth(c.provider, { authData }), 'auth on another device');
await must(() => AuthProvider.auth(c.provider, { authData }), 'auth again');
assert.equal(await must(() => AuthProvider.logoutAll(c.provider), 'logoutAll'), true);
const otherDevice = await attempt(() => AuthProvider.refresh(c.provider, elsewhere.refreshToken));
seen.afterLogoutAll = 'ok' in otherDevice ? 'ok' : otherDevice.error.statusCode;

console.log(JSON.stringify(seen));
