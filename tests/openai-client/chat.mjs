// Chats through Bulkhead's OpenAI-compatible door with the official openai client, plain and
// streaming, and prints one JSON line per check for the test that runs it.
// Usage: node chat.mjs BASE_URL API_KEY
import OpenAI from 'openai';

const [baseURL, apiKey] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 30_000 });
const out = {};

const models = await client.models.list();
out.models = models.data.map((m) => m.id);

const plain = await client.chat.completions.create({
  model: 'offline',
  messages: [{ role: 'user', content: 'Hello from the openai client' }],
  temperature: 0.3,
});
out.plain = { content: plain.choices[0].message.content, finish: plain.choices[0].finish_reason, usage: plain.usage, model: plain.model };

const stream = await client.chat.completions.create({
  model: 'offline',
  messages: [{ role: 'user', content: 'Stream to the openai client' }],
  stream: true,
  stream_options: { include_usage: true },
});
const deltas = [];
let usage = null;
for await (const chunk of stream) {
  if (chunk.choices[0]?.delta?.content) deltas.push(chunk.choices[0].delta.content);
  if (chunk.usage) usage = chunk.usage;
}
out.stream = { deltas, usage };

try {
  await client.chat.completions.create({ model: 'not-a-model', messages: [{ role: 'user', content: 'x' }] });
  out.badModel = 'accepted';
} catch (e) {
  out.badModel = e.status;
}

console.log(JSON.stringify(out));
