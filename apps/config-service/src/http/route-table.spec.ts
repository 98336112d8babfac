import { compileRoutePath, RouteTable } from './route-table.js';

describe(RouteTable.name, () => {
  const table = new RouteTable(() => [
    { path: '/api/datasources', methods: ['post'] },
    { path: '/api/datasources', methods: ['get'] },
    { path: '/api/datasources/:name', methods: ['get'] },
    { path: '/api/datasources/:name', methods: ['patch'] },
    { path: '/api/datasources/:name', methods: ['delete'] },
    { path: '/api/datasources/:name/credentials', methods: ['post'] },
  ]);

  it.each([
    ['/api/datasources', ['GET', 'HEAD', 'POST']],
    ['/api/datasources/', ['GET', 'HEAD', 'POST']],
    ['/api/datasources/cells', ['GET', 'HEAD', 'PATCH', 'DELETE']],
    ['/API/Datasources/cells', ['GET', 'HEAD', 'PATCH', 'DELETE']],
    ['/api/datasources/cells/credentials', ['POST']],
    ['/api/datasources/cells/other', []],
    ['/api/nope', []],
    ['/api/datasources/a/b/credentials', []],
  ])('%s allows %j', (path, methods) => {
    expect(table.allowedMethods(path)).toEqual(methods);
  });

  it('reads the routes once, on first use', () => {
    let loads = 0;
    const lazy = new RouteTable(() => {
      loads++;
      return [{ path: '/api/health', methods: ['get'] }];
    });
    expect(loads).toBe(0);
    lazy.allowedMethods('/api/health');
    lazy.allowedMethods('/api/x');
    expect(loads).toBe(1);
  });
});

describe(compileRoutePath.name, () => {
  it('treats literal characters literally', () => {
    expect(compileRoutePath('/api/a.b').test('/api/axb')).toBe(false);
    expect(compileRoutePath('/api/a.b').test('/api/a.b')).toBe(true);
  });
});
