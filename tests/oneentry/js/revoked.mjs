// An app whose app token the tenant revoked (or never issued): every call is refused with 403,
// which the SDK reports as an error without touching the user's tokens.
import { defineOneEntry } from 'oneentry';

const c = JSON.parse(process.env.ONEENTRY_CASE);
const { AuthProvider } = defineOneEntry(c.base, {
  token: c.appToken,
  validation: { enabled: true, strictMode: true, logErrors: false },
  errors: { isShell: true },
});
const answer = await AuthProvider.getAuthProviders();
console.log(JSON.stringify({ statusCode: answer.statusCode, code: answer.code, message: answer.message }));
