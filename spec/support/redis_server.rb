# frozen_string_literal: true

require "socket"
require "timeout"

# A real redis-server (Debian's; RAILSESS_REDIS_SERVER=valkey-server runs Valkey, the default when
# only Valkey is installed) for the Redis specs, started by the suite on a free loopback port
# when the first :redis example needs it and stopped when the suite ends. Faults are real:
# `stop!` kills it (connection refused), `pause!` SIGSTOPs it (requests time out), `resume!` and
# `start` bring it back with its data (a paused server keeps its memory; a stopped one restarts empty).
module RedisServer
  module_function

  def binary
    @binary ||= ENV.fetch("RAILSESS_REDIS_SERVER") do
      %w[redis-server valkey-server].find { |name| system("command -v #{name} >/dev/null 2>&1") } || "redis-server"
    end
  end

  def available?
    system("command -v #{binary} >/dev/null 2>&1")
  end

  def port
    @port ||= begin
      server = TCPServer.new("127.0.0.1", 0)
      server.addr[1].tap { server.close }
    end
  end

  def url(db = 0) = "redis://127.0.0.1:#{port}/#{db}"

  def start
    return if running?

    @pid = Process.spawn(binary, "--port", port.to_s, "--bind", "127.0.0.1", "--save", "",
                         "--appendonly", "no", "--protected-mode", "yes", out: File::NULL, err: File::NULL)
    Timeout.timeout(10) { sleep 0.02 until ping? }
    at_exit { stop! } unless @at_exit
    @at_exit = true
  end

  def running? = !@pid.nil?

  def ping?
    TCPSocket.open("127.0.0.1", port) do |socket|
      socket.write("PING\r\n")
      socket.gets&.start_with?("+PONG")
    end
  rescue SystemCallError
    false
  end

  def stop!
    return unless @pid

    Process.kill("CONT", @pid)
    Process.kill("TERM", @pid)
    Process.wait(@pid)
  rescue Errno::ESRCH, Errno::ECHILD
    nil
  ensure
    @pid = nil
  end

  def pause! = Process.kill("STOP", @pid)
  def resume! = Process.kill("CONT", @pid)

  def client(**options)
    require "redis"
    Redis.new(url: url, **options)
  end

  def flush = client.flushall
end

if defined?(RSpec.configure)
  RSpec.configure do |config|
    config.before(:each, :redis) do
      skip "redis-server is not installed (bin/setup installs it)" unless RedisServer.available?
      RedisServer.start
      RedisServer.flush
    end
  end
end
