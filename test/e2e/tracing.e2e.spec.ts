import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../examples/api/api.module';
import { configureApp, exampleAppOptions } from '../../examples/api/configure-app';
import { makeTempSqliteDir } from '../module/temp-sqlite';
import { nameTree, SpanRecorder } from '../support/span-recorder';
import { requestSpans } from './support/request-spans';

const tmp = makeTempSqliteDir('e2e-tracing');
const recorder = new SpanRecorder();
let app: INestApplication;
let http: ReturnType<typeof request>;

beforeAll(async () => {
  const moduleRef = await Test.createTestingModule({
    imports: [
      AppModule.register(
        {
          provider: 'sqlite',
          sqlite: { path: tmp.file('traced') },
          tracing: { tracerProvider: recorder.provider },
          env: {},
        },
        {},
      ),
    ],
  }).compile();
  app = moduleRef.createNestApplication({ ...exampleAppOptions, logger: false });
  // Registered before the body parser, as an HTTP instrumentation's span would be.
  app.use(requestSpans(recorder.provider));
  configureApp(app);
  await app.init();
  http = request(app.getHttpServer());
});

afterAll(async () => {
  await app.close();
  recorder.stop();
  tmp.cleanup();
});

beforeEach(() => recorder.reset());

const person = (n: number) => ({
  email: `traced${n}@example.com`,
  firstName: `Traced${n}`,
  lastName: 'Person',
  password: 'correct horse battery',
});

describe('example API: one request, one tree of spans', () => {
  it('puts the database spans of a POST (body parsed first) under the request’s span', async () => {
    await http.post('/users').send(person(1)).expect(201);
    expect(recorder.trees().map(nameTree)).toEqual([{ 'POST /users': ['create users'] }]);
    const [create] = recorder.spans.filter((span) => span.name === 'create users');
    expect(create.attributes).toMatchObject({
      'db.system.name': 'sqlite',
      'db.namespace': 'traced.sqlite',
      'db.collection.name': 'users',
      'db.operation.name': 'create',
    });
    expect(JSON.stringify(recorder.spans.map((s) => s.attributes))).not.toMatch(/traced1|Traced1/);
  });

  it('gives concurrent requests a tree each, with a request’s calls under its own span only', async () => {
    const created = await http.post('/users').send(person(2)).expect(201);
    recorder.reset();
    const id: string = created.body.id;
    await Promise.all([
      http.get(`/users/${id}`).expect(200),
      http.get(`/users/${id}/payments`).expect(200),
      http.get('/users/00000000-0000-4000-8000-000000000000').expect(404),
    ]);
    const trees = recorder.trees().map(nameTree);
    expect(trees).toHaveLength(3);
    expect(trees).toEqual(
      expect.arrayContaining([
        { [`GET /users/${id}`]: ['findById users'] },
        { [`GET /users/${id}/payments`]: ['exists users', 'findPage payments'] },
        { 'GET /users/00000000-0000-4000-8000-000000000000': ['findById users'] },
      ]),
    );
  });
});
