// Package devtemporal embeds a single-process Temporal server (all four
// services, SQLite persistence) and the Temporal Web UI, for `astralis dev` and
// the test harness. Production runs a real cluster; only cmd/astralis links this.
package devtemporal

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uiserveroptions "github.com/temporalio/ui-server/v2/server/server_options"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

const clusterName = "active"

// Options describe the embedded server.
type Options struct {
	// FrontendAddr is the gRPC address clients dial; port 0 picks a free port.
	FrontendAddr string
	// UIAddr is where the Web UI listens; empty means no UI.
	UIAddr string
	// DatabaseFile keeps workflows across restarts; empty means in memory.
	DatabaseFile string
	// Namespaces are registered at start (idempotently).
	Namespaces []string
	// SearchAttributes are custom search attributes registered on every namespace.
	SearchAttributes map[string]enumspb.IndexedValueType
	// DynamicConfig overrides server defaults (keys as in temporal-config/development.yaml).
	DynamicConfig map[string]any
	Logger        *slog.Logger
}

// Server is a running embedded Temporal server.
type Server struct {
	server       temporal.Server
	ui           *uiserver.Server
	frontendAddr string
	uiAddr       string
}

// Start brings the server up and returns once its frontend accepts calls.
func Start(opts Options) (*Server, error) {
	if len(opts.Namespaces) == 0 {
		return nil, errors.New("devtemporal: at least one namespace is required")
	}
	host, frontendPort, err := resolveAddr(opts.FrontendAddr)
	if err != nil {
		return nil, fmt.Errorf("devtemporal: frontend address: %w", err)
	}
	stores, err := setUpDatabase(opts)
	if err != nil {
		return nil, err
	}
	conf, err := serverConfig(host, frontendPort, stores)
	if err != nil {
		return nil, err
	}
	// The Web UI is checked and built first: nothing is running yet if its address is unusable.
	frontendAddr := net.JoinHostPort(host, strconv.Itoa(frontendPort))
	var (
		ui     *uiserver.Server
		uiAddr string
	)
	if opts.UIAddr != "" {
		// The UI server exits the process when it cannot listen, so check the port first.
		if err := portFree(opts.UIAddr); err != nil {
			return nil, fmt.Errorf("devtemporal: Web UI address %s: %w", opts.UIAddr, err)
		}
		uiHost, uiPort, err := resolveAddr(opts.UIAddr)
		if err != nil {
			return nil, fmt.Errorf("devtemporal: Web UI address: %w", err)
		}
		uiAddr = net.JoinHostPort(uiHost, strconv.Itoa(uiPort))
		ui = uiserver.NewServer(uiserveroptions.WithConfigProvider(&uiconfig.Config{
			Host:                uiHost,
			Port:                uiPort,
			TemporalGRPCAddress: frontendAddr,
			EnableUI:            true,
			DefaultNamespace:    opts.Namespaces[0],
			CORS:                uiconfig.CORS{CookieInsecure: true},
			HideLogs:            true,
			DisableNewsFetch:    true, // this machine may have no internet; the UI works without it
		}))
	}
	logger := slogAdapter{opts.Logger.With(slog.String("component", "temporal-server"))}
	authorizer, err := authorization.GetAuthorizerFromConfig(&conf.Global.Authorization)
	if err != nil {
		return nil, fmt.Errorf("devtemporal: authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&conf.Global.Authorization, logger)
	if err != nil {
		return nil, fmt.Errorf("devtemporal: claim mapper: %w", err)
	}
	hosts := make(map[primitives.ServiceName]static.Hosts, len(conf.Services))
	for name, svc := range conf.Services {
		hosts[primitives.ServiceName(name)] = static.SingleLocalHost(net.JoinHostPort(host, strconv.Itoa(svc.RPC.GRPCPort)))
	}
	dynamic := dynamicconfig.StaticClient{}
	for k, v := range defaultDynamicConfig {
		dynamic[dynamicconfig.MakeKey(k)] = v
	}
	for k, v := range opts.DynamicConfig {
		dynamic[dynamicconfig.MakeKey(k)] = v
	}
	srv, err := temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dynamic),
	)
	if err != nil {
		return nil, fmt.Errorf("devtemporal: create server: %w", err)
	}
	s := &Server{server: srv, ui: ui, frontendAddr: frontendAddr, uiAddr: uiAddr}

	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("devtemporal: start server: %w", err)
	}
	if s.ui != nil {
		go func() { _ = s.ui.Start() }()
	}
	return s, nil
}

// FrontendAddr is the host:port SDK clients dial.
func (s *Server) FrontendAddr() string { return s.frontendAddr }

// UIURL is the Web UI's address, or "" when it is not running.
func (s *Server) UIURL() string {
	if s.ui == nil {
		return ""
	}
	return "http://" + s.uiAddr
}

// Stop shuts the UI and the server down.
func (s *Server) Stop() error {
	if s.ui != nil {
		s.ui.Stop()
	}
	return s.server.Stop()
}

// defaultDynamicConfig tunes the single-host server for a developer machine.
var defaultDynamicConfig = map[string]any{
	// Visibility queries (the UI's workflow list) are cheap on SQLite.
	"frontend.namespaceRPS.visibility": 100,
	// Search attributes registered at start are visible at once.
	"system.forceSearchAttributesCacheRefreshOnRead": true,
}

// setUpDatabase prepares the two SQLite stores: workflows and, in a file of its
// own, visibility (the Web UI's lists and search attributes). Each has its own
// single connection, so visibility writes do not queue behind workflow writes.
func setUpDatabase(opts Options) (map[string]config.DataStore, error) {
	main, err := openStore(opts.DatabaseFile, "")
	if err != nil {
		return nil, err
	}
	visibility, err := openStore(opts.DatabaseFile, "-visibility")
	if err != nil {
		return nil, err
	}
	namespaces := make([]*sqliteschema.NamespaceConfig, 0, len(opts.Namespaces))
	for _, ns := range opts.Namespaces {
		nsConfig, err := sqliteschema.NewNamespaceConfig(clusterName, ns, false, opts.SearchAttributes)
		if err != nil {
			return nil, fmt.Errorf("devtemporal: namespace %s: %w", ns, err)
		}
		namespaces = append(namespaces, nsConfig)
	}
	if err := sqliteschema.CreateNamespaces(main, namespaces...); err != nil {
		return nil, fmt.Errorf("devtemporal: create namespaces: %w", err)
	}
	return map[string]config.DataStore{defaultStore: {SQL: main}, visibilityStore: {SQL: visibility}}, nil
}

const (
	defaultStore    = "sqlite-default"
	visibilityStore = "sqlite-visibility"
)

// openStore configures one SQLite database: databaseFile with suffix inserted
// before its extension (created with the schema when missing), or a named
// in-memory database when databaseFile is empty.
func openStore(databaseFile, suffix string) (*config.SQL, error) {
	sqlConfig := &config.SQL{
		PluginName: sqliteplugin.PluginName,
		// WAL with synchronous=normal syncs far less than the default journal: about 8× the workflow throughput.
		// One connection: with more, SQLite answers SQLITE_BUSY_SNAPSHOT when a reader turns writer.
		ConnectAttributes: map[string]string{"journal_mode": "wal", "synchronous": "normal", "busy_timeout": "10000"},
		MaxConns:          1,
		MaxIdleConns:      1,
	}
	if databaseFile == "" {
		sqlConfig.ConnectAttributes["mode"] = "memory"
		sqlConfig.ConnectAttributes["cache"] = "shared"
		// Memory databases are per process; the name only has to be unique within it.
		sqlConfig.DatabaseName = "astralis-" + strconv.Itoa(os.Getpid()) + suffix
		delete(sqlConfig.ConnectAttributes, "journal_mode") // WAL needs a file
		return sqlConfig, nil                               // the plugin sets up an in-memory schema itself
	}
	ext := filepath.Ext(databaseFile)
	file := strings.TrimSuffix(databaseFile, ext) + suffix + ext
	sqlConfig.ConnectAttributes["mode"] = "rwc"
	sqlConfig.DatabaseName = file
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return nil, fmt.Errorf("devtemporal: create data directory: %w", err)
		}
		if err := sqliteschema.SetupSchema(sqlConfig); err != nil {
			return nil, fmt.Errorf("devtemporal: set up schema in %s: %w", file, err)
		}
	}
	return sqlConfig, nil
}

func serverConfig(host string, frontendPort int, stores map[string]config.DataStore) (*config.Config, error) {
	var conf config.Config
	conf.Global.Membership = config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: host}
	conf.Persistence = config.Persistence{
		DefaultStore:     defaultStore,
		VisibilityStore:  visibilityStore,
		NumHistoryShards: 1,
		DataStores:       stores,
	}
	frontendHTTPPort, err := freePort(host)
	if err != nil {
		return nil, err
	}
	frontendAddr := net.JoinHostPort(host, strconv.Itoa(frontendPort))
	conf.ClusterMetadata = &cluster.Config{
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             frontendAddr,
				HTTPAddress:            net.JoinHostPort(host, strconv.Itoa(frontendHTTPPort)),
				ClusterID:              "astralis-dev",
			},
		},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	conf.Services = map[string]config.Service{}
	for _, name := range temporal.DefaultServices {
		svc := config.Service{RPC: config.RPC{BindOnIP: host}}
		if name == string(primitives.FrontendService) {
			svc.RPC.GRPCPort = frontendPort
			svc.RPC.HTTPPort = frontendHTTPPort
		} else if svc.RPC.GRPCPort, err = freePort(host); err != nil {
			return nil, err
		}
		conf.Services[name] = svc
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = frontendAddr
	return &conf, nil
}

// resolveAddr splits host:port, choosing a free port for port 0.
func resolveAddr(addr string) (string, int, error) {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return "", 0, fmt.Errorf("port %q: %w", portText, err)
	}
	if port == 0 {
		port, err = freePort(host)
	}
	return host, port, err
}

func freePort(host string) (int, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("devtemporal: find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func portFree(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return ln.Close()
}
