/** The baseline of bench:api: Fastify answering a constant, on the same machine in the same run. */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/hello', async () => ({ hello: 'world' }));
const port = Number(process.env.PORT ?? 3999);
await app.listen({ port, host: '127.0.0.1' });
process.stdout.write(`listening ${port}\n`);
