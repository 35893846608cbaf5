# frozen_string_literal: true

require "socket"
require "timeout"

# A real memcached (Debian's) for the Memcached specs, started by the suite on a free loopback
# port when the first :memcached example needs it and stopped (and reaped) when the suite ends.
# Faults are real: `stop!` kills it (connection refused), `pause!` SIGSTOPs it (requests time out),
# `resume!` brings it back with its data.
module MemcachedServer
  module_function

  def binary = ENV.fetch("RAILSESS_MEMCACHED", "memcached")

  def available?
    system("command -v #{binary} >/dev/null 2>&1")
  end

  # Dalli is needed too (Debian's ruby-dalli). Its "server is down" warnings (no keys in them) go
  # to stdout by default: the fault specs make them on purpose.
  def dalli?
    require "dalli"
    require "logger"
    Dalli.logger = Logger.new(nil) unless @quiet
    @quiet = true
  rescue LoadError
    false
  end

  def port
    @port ||= begin
      server = TCPServer.new("127.0.0.1", 0)
      server.addr[1].tap { server.close }
    end
  end

  def address = "127.0.0.1:#{port}"

  def start
    return if running?

    # -U 0: no UDP; -u: memcached refuses to run as root without a user to drop to.
    args = [binary, "-l", "127.0.0.1", "-p", port.to_s, "-U", "0", "-m", "32", "-t", "1"]
    args += ["-u", "nobody"] if Process.uid.zero?
    @pid = Process.spawn(*args, out: File::NULL, err: File::NULL)
    Timeout.timeout(10) { sleep 0.02 until ping? }
    at_exit { stop! } unless @at_exit
    @at_exit = true
  end

  def running? = !@pid.nil?

  def ping?
    TCPSocket.open("127.0.0.1", port) do |socket|
      socket.write("version\r\n")
      socket.gets&.start_with?("VERSION")
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

  # Returns once every thread is stopped: a worker still running could answer one more request.
  def pause!
    Process.kill("STOP", @pid)
    Timeout.timeout(5) { sleep 0.01 until stopped? }
  end

  def stopped?
    Dir["/proc/#{@pid}/task/*/stat"].all? { |stat| File.read(stat)[/\) (\S)/, 1] == "T" }
  rescue SystemCallError
    true # no /proc: trust the signal
  end

  def resume! = Process.kill("CONT", @pid)

  # One text-protocol command, its reply lines up to END / a status line. The specs read what is
  # stored (flags, bytes) without any client's serializer in the way.
  def command(line)
    TCPSocket.open("127.0.0.1", port) do |socket|
      socket.write("#{line}\r\n")
      read_reply(socket)
    end
  end

  def read_reply(socket)
    lines = []
    while (line = socket.gets)
      if (size = line[/\AVALUE \S+ \d+ (\d+)/, 1])
        lines << [line.chomp, socket.read(Integer(size) + 2).byteslice(0, Integer(size))]
        next
      end
      lines << line.chomp
      break if line.match?(/\A(END|STORED|NOT_STORED|DELETED|NOT_FOUND|OK|ERROR|CLIENT_ERROR|SERVER_ERROR)/)
    end
    lines
  end

  # [flags, bytes] of a key, or nil.
  def raw_get(key)
    (header, bytes), = command("get #{key}")
    return nil unless header.is_a?(String) && header.start_with?("VALUE")

    [Integer(header.split[2]), bytes.b]
  end

  # Stores bytes with the given flags (what another client would have written).
  def raw_set(key, bytes, flags: 0, ttl: 0)
    TCPSocket.open("127.0.0.1", port) do |socket|
      socket.write("set #{key} #{flags} #{ttl} #{bytes.bytesize}\r\n")
      socket.write(bytes.b)
      socket.write("\r\n")
      read_reply(socket)
    end
  end

  # Keys stored now (lru_crawler metadump: every item with its exp(iry) as a unix time, -1 none).
  def items
    command("lru_crawler metadump all").filter_map do |line|
      next unless line.is_a?(String) && line.start_with?("key=")

      fields = line.split.to_h { |pair| pair.split("=", 2) }
      [CGI.unescape(fields["key"]), Integer(fields["exp"])]
    end.to_h
  end

  def keys = items.keys

  # Seconds until a key expires (nil: never; memcached keeps absolute unix times).
  def ttl(key)
    exp = items[key]
    exp.nil? || exp.negative? ? nil : exp - Time.now.to_i
  end

  def flush = command("flush_all")

  # memcached's counters (`stats`): e.g. "cmd_get", "delete_hits".
  def stats
    command("stats").filter_map { |line| line.split[1, 2] if line.is_a?(String) && line.start_with?("STAT ") }.to_h
  end

  # A Dalli client as a Rails app's would be (Dalli's default Marshal serializer).
  def client(**options)
    require "dalli"
    Dalli::Client.new(address, **options)
  end
end

if defined?(RSpec.configure)
  require "cgi"
  RSpec.configure do |config|
    config.before(:each, :memcached) do
      skip "memcached is not installed (bin/setup installs it)" unless MemcachedServer.available?
      skip "Dalli is not installed (bin/setup installs ruby-dalli)" unless MemcachedServer.dalli?
      MemcachedServer.start
      MemcachedServer.flush
    end
  end
end
