// Setup file of the `fastify` jest project: the test apps start on @nestjs/platform-fastify.
process.env.COPILOTKIT_TEST_PLATFORM = 'fastify';
