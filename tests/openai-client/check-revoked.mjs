// Prints the HTTP status the openai client gets for one chat with the given key.
// Usage: node check-revoked.mjs BASE_URL API_KEY
import OpenAI from 'openai';

const [baseURL, apiKey] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 30_000 });
try {
  await client.chat.completions.create({ model: 'offline', messages: [{ role: 'user', content: 'x' }] });
  console.log(JSON.stringify({ status: 200 }));
} catch (e) {
  console.log(JSON.stringify({ status: e.status ?? null, message: String(e.message) }));
}
