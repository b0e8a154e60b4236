// A person signs themselves up from a OneEntry app (strict validation on). Step `sign-up`:
// `signUp`, then the same email again; step `activate`: `checkCode` with a wrong and the right
// code, then `activateUser` (the test reads the code from the tenant's outbox, as the person
// reads their mail). Every step ends with a sign-in and, when it works, `getUser`; step `delete`
// then deletes the account (`deleteUser`).
import assert from 'node:assert/strict';
import { defineOneEntry } from 'oneentry';

const c = JSON.parse(process.env.ONEENTRY_CASE);
const { AuthProvider, Users } = defineOneEntry(c.base, {
  token: c.appToken,
  validation: { enabled: true, strictMode: true, logErrors: false },
  auth: { providerMarker: c.provider },
  errors: { isShell: true },
});
const failed = (answer) => answer && typeof answer.statusCode === 'number' && answer.statusCode >= 400;
const authData = [
  { marker: c.loginMarker, value: c.email },
  { marker: c.passwordMarker, value: c.password },
];
const seen = {};

if (c.step === 'sign-up') {
  const created = await AuthProvider.signUp(c.provider, {
    formIdentifier: c.form,
    authData,
    formData: c.values,
    notificationData: { email: c.email, phonePush: [], phoneSMS: '' },
  });
  assert.ok(!failed(created), `signUp: ${JSON.stringify(created)}`);
  assert.equal(typeof created.id, 'number');
  seen.created = created;
  const again = await AuthProvider.signUp(c.provider, { formIdentifier: c.form, authData, formData: [] });
  seen.again = { statusCode: again.statusCode, code: again.code, details: again.details };
}

if (c.step === 'activate') {
  const wrong = await AuthProvider.checkCode(c.provider, c.email, 'activation', '00000000');
  seen.wrongCode = wrong.statusCode;
  const right = await AuthProvider.checkCode(c.provider, c.email, 'activation', c.code);
  assert.ok(!failed(right), `checkCode: ${JSON.stringify(right)}`);
  const activated = await AuthProvider.activateUser(c.provider, c.email, c.code);
  assert.ok(!failed(activated), `activateUser: ${JSON.stringify(activated)}`);
  seen.activated = activated;
}

// Sign in (refused while the account waits for its activation code).
const signedIn = await AuthProvider.auth(c.provider, { authData });
if (failed(signedIn)) {
  seen.signIn = { statusCode: signedIn.statusCode, code: signedIn.code };
} else {
  const user = await Users.getUser();
  assert.ok(!failed(user), `getUser: ${JSON.stringify(user)}`);
  seen.user = user;
}
// Step `delete`: the signed-in person deletes their account; it no longer signs in.
if (c.step === 'delete' && seen.user) {
  seen.deleted = await Users.deleteUser();
  const after = await AuthProvider.auth(c.provider, { authData });
  seen.afterDelete = after.statusCode;
}
console.log(JSON.stringify(seen));
