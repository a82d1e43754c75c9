// The options of the OpenStack libraries (oslo.*, keystonemiddleware, keystoneauth) that
// deployment tools write into every service's file: ulm accepts them, honours those its option
// table declares too, and warns once that the others are unused instead of refusing to start.

export interface LibraryOptions {
  /** The Python library that defines them, as the operator knows it from oslo-config-generator. */
  library: string;
  section: string;
  options: readonly string[];
}

/**
 * Option names as the libraries declare them (their `cfg.*Opt` lists), current and deprecated.
 * An option ulm implements is also in options.ts; there it wins and nothing is warned.
 */
export const LIBRARY_OPTIONS: readonly LibraryOptions[] = [
  {
    library: 'oslo.log', section: 'DEFAULT', options: [
      'debug', 'log_config_append', 'log-config-append', 'log_config', 'log_date_format', 'log_file', 'logfile', 'log_dir', 'logdir', 'watch_log_file',
      'use_syslog', 'use_journal', 'syslog_log_facility', 'use_json', 'use_stderr', 'use_eventlog', 'log_color',
      'log_rotate_interval', 'log_rotate_interval_type', 'max_logfile_count', 'max_logfile_size_mb', 'log_rotation_type',
      'logging_context_format_string', 'logging_default_format_string', 'logging_debug_format_suffix', 'logging_exception_prefix',
      'logging_user_identity_format', 'default_log_levels', 'publish_errors', 'instance_format', 'instance_uuid_format',
      'rate_limit_interval', 'rate_limit_burst', 'rate_limit_except_level', 'fatal_deprecations', 'verbose',
    ],
  },
  {
    library: 'oslo.messaging', section: 'DEFAULT', options: [
      'transport_url', 'control_exchange', 'rpc_response_timeout', 'executor_thread_pool_size', 'rpc_conn_pool_size',
      'conn_pool_min_size', 'conn_pool_ttl', 'rpc_ping_enabled', 'rpc_backend', 'notification_driver',
    ],
  },
  {
    library: 'oslo.service', section: 'DEFAULT', options: [
      'backdoor_port', 'backdoor_socket', 'log_options', 'graceful_shutdown_timeout', 'run_external_periodic_tasks',
      'api_paste_config', 'wsgi_log_format', 'tcp_keepidle', 'wsgi_default_pool_size', 'max_header_line', 'wsgi_keep_alive',
      'client_socket_timeout', 'periodic_interval', 'periodic_fuzzy_delay',
    ],
  },
  {
    library: 'keystonemiddleware', section: 'keystone_authtoken', options: [
      'www_authenticate_uri', 'auth_uri', 'auth_version', 'interface', 'delay_auth_decision', 'http_connect_timeout',
      'http_request_max_retries', 'cache', 'certfile', 'keyfile', 'cafile', 'insecure', 'region_name', 'memcached_servers',
      'memcache_servers', 'token_cache_time', 'memcache_security_strategy', 'memcache_secret_key', 'memcache_tls_enabled',
      'memcache_tls_cafile', 'memcache_tls_certfile', 'memcache_tls_keyfile', 'memcache_tls_allowed_ciphers',
      'memcache_pool_dead_retry', 'memcache_pool_maxsize', 'memcache_pool_socket_timeout', 'memcache_pool_unused_timeout',
      'memcache_pool_conn_get_timeout', 'memcache_use_advanced_pool', 'memcache_sasl_enabled', 'memcache_username',
      'memcache_password', 'include_service_catalog', 'enforce_token_bind', 'service_token_roles',
      'service_token_roles_required', 'service_type', 'auth_type', 'auth_section', 'auth_plugin', 'identity_uri',
      'admin_user', 'admin_password', 'admin_tenant_name', 'admin_token',
    ],
  },
  {
    // keystoneauth1's loading options for the password and application credential plugins.
    library: 'keystoneauth1', section: 'keystone_authtoken', options: [
      'auth_url', 'system_scope', 'domain_id', 'domain_name', 'project_id', 'project_name', 'project_domain_id',
      'project_domain_name', 'trust_id', 'default_domain_id', 'default_domain_name', 'user_id', 'username',
      'user_domain_id', 'user_domain_name', 'password', 'application_credential_id', 'application_credential_name',
      'application_credential_secret', 'collect_timing', 'split_loggers', 'timeout', 'tenant_name', 'tenant_id',
    ],
  },
  {
    library: 'oslo.messaging', section: 'oslo_messaging_rabbit', options: [
      'amqp_durable_queues', 'amqp_auto_delete', 'rpc_conn_pool_size', 'ssl', 'ssl_version', 'ssl_key_file',
      'ssl_cert_file', 'ssl_ca_file', 'ssl_enforce_fips_mode', 'heartbeat_in_pthread', 'kombu_reconnect_delay',
      'kombu_reconnect_splay', 'kombu_compression', 'kombu_missing_consumer_retry_timeout', 'kombu_failover_strategy',
      'rabbit_login_method', 'rabbit_retry_interval', 'rabbit_retry_backoff', 'rabbit_interval_max', 'rabbit_ha_queues',
      'rabbit_transient_queues_ttl', 'rabbit_qos_prefetch_count', 'heartbeat_timeout_threshold', 'heartbeat_rate',
      'direct_mandatory_flag', 'enable_cancel_on_failover', 'use_queue_manager', 'hostname', 'processname',
      'rabbit_stream_fanout', 'rabbit_quorum_queue', 'rabbit_transient_quorum_queue', 'rabbit_quorum_delivery_limit',
      'rabbit_quorum_max_memory_length', 'rabbit_quorum_max_memory_bytes', 'rabbit_host', 'rabbit_hosts', 'rabbit_port',
      'rabbit_userid', 'rabbit_password', 'rabbit_virtual_host', 'rabbit_use_ssl',
    ],
  },
  {
    library: 'oslo.messaging', section: 'oslo_messaging_notifications', options: ['driver', 'transport_url', 'topics', 'retry'],
  },
  {
    library: 'oslo.policy', section: 'oslo_policy', options: [
      'enforce_scope', 'enforce_new_defaults', 'policy_file', 'policy_default_rule', 'policy_dirs', 'remote_content_type',
      'remote_ssl_verify_server_crt', 'remote_ssl_ca_crt_file', 'remote_ssl_client_crt_file', 'remote_ssl_client_key_file',
      'remote_timeout',
    ],
  },
  { library: 'oslo.concurrency', section: 'oslo_concurrency', options: ['disable_process_locking', 'lock_path'] },
  {
    library: 'oslo.db', section: 'database', options: [
      'sqlite_synchronous', 'backend', 'connection', 'slave_connection', 'asyncio_connection', 'asyncio_slave_connection',
      'mysql_sql_mode', 'mysql_wsrep_sync_wait', 'mysql_enable_ndb', 'connection_recycle_time', 'idle_timeout',
      'max_pool_size', 'min_pool_size', 'max_retries', 'retry_interval', 'max_overflow', 'connection_debug',
      'connection_trace', 'pool_timeout', 'use_db_reconnect', 'db_retry_interval', 'db_inc_retry_interval',
      'db_max_retry_interval', 'db_max_retries', 'connection_parameters', 'sqlite_db', 'db_backend',
    ],
  },
  {
    library: 'oslo.middleware', section: 'oslo_middleware', options: [
      'enable_proxy_headers_parsing', 'max_request_body_size', 'secure_proxy_ssl_header', 'http_basic_auth_user_file',
    ],
  },
  {
    library: 'oslo.middleware', section: 'cors', options: [
      'allowed_origin', 'allow_credentials', 'expose_headers', 'max_age', 'allow_methods', 'allow_headers',
    ],
  },
  {
    library: 'oslo.cache', section: 'cache', options: [
      'config_prefix', 'expiration_time', 'backend_expiration_time', 'backend', 'backend_argument', 'proxies', 'enabled',
      'debug_cache_backend', 'memcache_servers', 'memcache_dead_retry', 'memcache_socket_timeout', 'memcache_pool_maxsize',
      'memcache_pool_unused_timeout', 'memcache_pool_connection_get_timeout', 'memcache_pool_flush_on_reconnect',
      'memcache_sasl_enabled', 'memcache_username', 'memcache_password', 'redis_server', 'redis_sentinels',
      'redis_sentinel_service_name', 'tls_enabled', 'tls_cafile', 'tls_certfile', 'tls_keyfile', 'tls_allowed_ciphers',
      'enable_socket_keepalive', 'enable_retry_client', 'retry_attempts', 'retry_delay', 'hashclient_retry_attempts',
      'hashclient_retry_delay', 'dead_timeout',
    ],
  },
];

/** The library that declares `[section] option`, if any. */
export function libraryOf(section: string, option: string): string | undefined {
  return LIBRARY_OPTIONS.find((entry) => entry.section === section && entry.options.includes(option))?.library;
}

/** Sections only libraries declare (ulm has none of its own options there). */
export function isLibrarySection(section: string): boolean {
  return LIBRARY_OPTIONS.some((entry) => entry.section === section);
}

/** Every library option of a section, for "did you mean" among them too. */
export function libraryOptionsOf(section: string): string[] {
  return LIBRARY_OPTIONS.filter((entry) => entry.section === section).flatMap((entry) => entry.options);
}
