// The LLM every server talks to: aimock, with the same scripted answers for all of them.
//   text:      a 400-character answer in 40 deltas, no delay (throughput)
//   slow text: the same after a 50 ms time to first token (latency)
//   weather:   a getWeather tool call, then a short answer once the result is in
//   idle:      an answer that takes minutes (open streams)
import { LLMock } from '@copilotkit/aimock';

const answer = 'All systems nominal. '.repeat(19).slice(0, 400);
const llm = new LLMock({ port: 0, chunkSize: 10 });
llm.on({ userMessage: 'weather', hasToolResult: false }, { toolCalls: [{ name: 'getWeather', arguments: { city: 'Paris' } }] });
llm.on({ userMessage: 'weather', hasToolResult: true }, { content: 'It is sunny in Paris, 21 degrees.' });
llm.on({ userMessage: 'slow' }, { content: answer }, { streamingProfile: { ttft: 50, tps: 100_000, jitter: 0 } });
llm.on({ userMessage: 'idle' }, { content: answer }, { streamingProfile: { ttft: 600_000, tps: 1, jitter: 0 } });
llm.on({}, { content: answer });
await llm.start();
process.send({ url: llm.url });
