// A forgotten password from a OneEntry app. Step `request`: `generateCode` for the
// `password_reset` event (and for an unknown email: the same answer). Step `change`: the code
// the test read from the outbox, with two different passwords (refused), then `changePassword`;
// the old password no longer signs in, the new one does.
import { defineOneEntry } from 'oneentry';

const c = JSON.parse(process.env.ONEENTRY_CASE);
const { AuthProvider } = defineOneEntry(c.base, {
  token: c.appToken,
  validation: { enabled: true, strictMode: true, logErrors: false },
  auth: { providerMarker: c.provider },
  errors: { isShell: true },
});
const seen = {};
const signIn = async (password) => {
  const answer = await AuthProvider.auth(c.provider, {
    authData: [{ marker: c.loginMarker, value: c.email }, { marker: c.passwordMarker, value: password }],
  });
  return answer.statusCode ?? 'ok';
};

if (c.step === 'request') {
  seen.requested = await AuthProvider.generateCode(c.provider, c.email, 'password_reset');
  seen.unknown = await AuthProvider.generateCode(c.provider, 'nobody@example.com', 'password_reset');
}
if (c.step === 'change') {
  const differ = await AuthProvider.changePassword(c.provider, c.email, 'password_reset', 1, c.code, c.newPassword, 'something-else-entirely');
  seen.differ = differ.code;
  seen.changed = await AuthProvider.changePassword(c.provider, c.email, 'password_reset', 1, c.code, c.newPassword);
  seen.oldPassword = await signIn('portal-password');
  seen.newPassword = await signIn(c.newPassword);
}
console.log(JSON.stringify(seen));
