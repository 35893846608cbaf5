# frozen_string_literal: true

require "socket"
require "timeout"
require "tmpdir"
require "fileutils"

# Redis deployments the suite starts itself on free loopback ports, with RedisServer's binary
# (redis-server or valkey-server): a Redis Cluster (3 primaries + 3 replicas), a Sentinel set (a
# primary, a replica, three sentinels), and plain nodes for Redis::Distributed. Every process is
# reaped when its topology stops and at exit; nothing is left behind.
module RedisTopology
  module_function

  # A free port whose cluster bus port (port + 10000) is free too.
  def free_port
    loop do
      port = TCPServer.open("127.0.0.1", 0) { |server| server.addr[1] }
      next if port > 55_000

      begin
        TCPServer.open("127.0.0.1", port + 10_000, &:close)
        return port
      rescue SystemCallError
        next
      end
    end
  end

  def cli_binary = RedisServer.binary.sub(/-server\z/, "-cli")

  # Whether the loaded redis gem's cluster client is the redis-clustering gem's (redis 5+).
  def redis_clustering?
    require "redis"
    Gem::Version.new(Redis::VERSION) >= Gem::Version.new("5")
  end

  # A cluster client as the loaded redis gem makes one (redis 5: the redis-clustering gem).
  def cluster_client(urls)
    return Redis.new(cluster: urls) unless redis_clustering?

    require "redis-clustering"
    Redis::Cluster.new(nodes: urls)
  end

  def available?
    RedisServer.available? && system("command -v #{cli_binary} >/dev/null 2>&1")
  end

  # One server process (a node or a sentinel) in its own directory.
  class Node
    attr_reader :port, :pid

    def initialize(dir, port, *args, data: true)
      @port = port
      @dir = File.join(dir, port.to_s)
      FileUtils.mkdir_p(@dir)
      @args = args + ["--port", port.to_s, "--bind", "127.0.0.1"]
      @args += ["--save", "", "--appendonly", "no"] if data
      start
    end

    def url = "redis://127.0.0.1:#{port}"

    def start
      @pid = Process.spawn(RedisServer.binary, *@args, chdir: @dir, out: File::NULL, err: File::NULL)
      Timeout.timeout(10) { sleep 0.02 until command("PING") == "PONG" }
    end

    def alive? = !@pid.nil?

    # A raw command on its own connection (no client library state), nil when it cannot connect.
    def command(*words)
      TCPSocket.open("127.0.0.1", port) do |socket|
        socket.write("*#{words.size}\r\n#{words.map { |w| "$#{w.to_s.bytesize}\r\n#{w}\r\n" }.join}")
        read_reply(socket)
      end
    rescue SystemCallError, IOError
      nil
    end

    def kill!(signal = "KILL")
      return unless @pid

      Process.kill(signal, @pid)
      Process.wait(@pid)
    rescue Errno::ESRCH, Errno::ECHILD
      nil
    ensure
      @pid = nil
    end

    def pause! = Process.kill("STOP", @pid)
    def resume! = Process.kill("CONT", @pid)

    def stop!
      Process.kill("CONT", @pid) if @pid
      kill!("TERM")
    end

    private

    def read_reply(socket)
      line = socket.gets or return nil
      case line[0]
      when "+", "-" then line[1..].chomp
      when ":" then line[1..].to_i
      when "$" then (size = line[1..].to_i).negative? ? nil : socket.read(size + 2).chomp
      when "*" then Array.new(line[1..].to_i) { read_reply(socket) }
      end
    end
  end

  # The processes of one topology, stopped together (also at exit).
  class Base
    attr_reader :nodes

    def initialize
      @dir = Dir.mktmpdir("railsess-redis-")
      @nodes = []
      at_exit { stop! }
    end

    def spawn_node(*args) = Node.new(@dir, RedisTopology.free_port, *args).tap { |node| @nodes << node }

    def stop!
      @nodes.each(&:stop!)
      FileUtils.rm_rf(@dir)
    end

    def wait_until(seconds = 20, &)
      Timeout.timeout(seconds) { sleep 0.05 until yield }
    end
  end

  # 3 primaries, 3 replicas, node timeout 1 s (a failover in ~2 s).
  class Cluster < Base
    def initialize(primaries: 3, replicas: 1)
      super()
      (primaries * (1 + replicas)).times do
        spawn_node("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000")
      end
      hosts = @nodes.map { |node| "127.0.0.1:#{node.port}" }
      create = [RedisTopology.cli_binary, "--cluster", "create", *hosts, "--cluster-replicas", replicas.to_s,
                "--cluster-yes"]
      system(*create, out: File::NULL, err: File::NULL, in: File::NULL) or raise "#{create.join(' ')} failed"
      @replicas = replicas
      wait_until { healthy? }
    end

    def urls = @nodes.select(&:alive?).map(&:url)

    # Every node sees the cluster ok, and every primary streams to its replicas: a replica can say
    # "connected" while its primary does not list it yet (Valkey 8's dual-channel sync), and a
    # write made then reaches no replica.
    def healthy?
      @nodes.select(&:alive?).all? do |node|
        info = node.command("CLUSTER", "INFO").to_s
        info.include?("cluster_state:ok") && replicated?(node)
      end
    end

    def primaries = @nodes.select { |node| node.alive? && node.command("ROLE")&.first == "master" }

    # The primary that holds `key`'s slot.
    def primary_for(key)
      node = @nodes.find(&:alive?)
      slot = node.command("CLUSTER", "KEYSLOT", key)
      _, _, (_, port) = node.command("CLUSTER", "SLOTS").find { |from, to, *| slot.between?(from, to) }
      @nodes.find { |candidate| candidate.port == port }
    end

    # The replica replicating from `primary` (nil if none).
    def replica_of(primary)
      @nodes.find { |node| node.alive? && node.command("ROLE")&.values_at(0, 2) == ["slave", primary.port] }
    end

    # Waits until `primary` lists its replicas and they have everything it wrote (offsets).
    def wait_replicated(primary)
      wait_until do
        _, offset, replicas = primary.command("ROLE")
        replicas.to_a.size >= @replicas &&
          replicas.all? { |(_host, _port, replicated)| replicated.to_i >= offset.to_i }
      end
    end

    # CLUSTER NODES as the first live node sees it (for failure messages).
    def nodes_view = @nodes.find(&:alive?)&.command("CLUSTER", "NODES")

    private

    def replicated?(node)
      role = node.command("ROLE")
      case role&.first
      when "slave" then role[3] == "connected"
      when "master" then role[2].to_a.size >= @replicas
      else true
      end
    end
  end

  # A primary, a replica and three sentinels watching "mymaster" (down after 500 ms).
  class Sentinels < Base
    NAME = "mymaster"

    attr_reader :primary, :replica, :sentinels

    def initialize
      super
      @primary = spawn_node
      @replica = spawn_node("--replicaof", "127.0.0.1", @primary.port.to_s)
      wait_until { @replica.command("ROLE")&.at(3) == "connected" }
      @sentinels = Array.new(3) { spawn_sentinel }
      wait_until { @sentinels.all? { |s| s.command("SENTINEL", "REPLICAS", NAME).to_a.any? } }
    end

    def sentinel_options = @sentinels.map { |s| { host: "127.0.0.1", port: s.port } }

    # The port the sentinels name as primary now.
    def primary_port = @sentinels.first.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", NAME)&.last.to_i

    private

    def spawn_sentinel
      port = RedisTopology.free_port
      dir = File.join(@dir, "sentinel-#{port}")
      FileUtils.mkdir_p(dir)
      File.write(File.join(dir, "sentinel.conf"), <<~CONF)
        sentinel monitor #{NAME} 127.0.0.1 #{@primary.port} 2
        sentinel down-after-milliseconds #{NAME} 500
        sentinel failover-timeout #{NAME} 2000
        sentinel parallel-syncs #{NAME} 1
      CONF
      Node.new(dir, port, File.join(dir, "sentinel.conf"), "--sentinel", data: false).tap { |node| @nodes << node }
    end
  end
end
