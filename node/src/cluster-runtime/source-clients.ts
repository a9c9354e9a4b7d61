import { createCacheClient } from '../server/grpc/cache-client.ts';
import type { CacheClient } from '../server/grpc/cache-client.ts';

/**
 * gRPC clients to the other nodes, one per address, made on first use and kept (grpc-js
 * reconnects by itself). Nodes of one cluster share the password (--requirepass). Messages are
 * not size-limited: a fetched value may be as large as the source's --max-value-size.
 */
export class SourceClients {
  readonly #clients = new Map<string, CacheClient>();
  readonly #password: string | undefined;
  readonly #create: typeof createCacheClient;

  constructor(password: string | undefined, create: typeof createCacheClient = createCacheClient) {
    this.#password = password;
    this.#create = create;
  }

  for(address: string): CacheClient {
    let client = this.#clients.get(address);
    if (client === undefined) {
      client = this.#create(address, { password: this.#password, maxReceiveMessageBytes: -1 });
      this.#clients.set(address, client);
    }
    return client;
  }

  close(): void {
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
  }
}
