# frozen_string_literal: true

require "railsess/native"
require "railsess/session/redis_unavailable"

module Railsess
  module Session
    # A circuit breaker in front of Redis. A hung Redis costs every request its timeout (a second
    # with the default options); after one failure, requests skip Redis for `backoff` seconds
    # instead. Then one request (the trial) tries again; until its answer the others keep
    # skipping. A success closes the circuit, a failure opens it for another `backoff`.
    # `backoff: 0` (or false) turns it off. Thread-safe; the closed state costs one ivar read.
    class RedisCircuit
      OPENED = "redis_circuit_open.railsess"
      CLOSED = "redis_circuit_close.railsess"

      attr_reader :backoff

      def initialize(backoff:, clock: -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) })
        @backoff = backoff ? Float(backoff) : 0.0
        raise ArgumentError, "railsess: redis_down_backoff must be >= 0" if @backoff.negative?

        @clock = clock
        @open_until = nil
        @lock = Mutex.new
      end

      def open? = !@open_until.nil?

      # Whether this request may send Redis commands. While open, the first request after the
      # back-off becomes the trial.
      def allow?
        return true unless @open_until

        @lock.synchronize do
          return true unless @open_until

          now = @clock.call
          return false if now < @open_until

          @open_until = now + @backoff
          true
        end
      end

      # A Redis command failed: opens the circuit. True when this failure opened it.
      def failure!
        return false if @backoff.zero?

        @lock.synchronize do
          was_closed = @open_until.nil?
          @open_until = @clock.call + @backoff
          was_closed
        end
      end

      # A Redis command succeeded: closes the circuit. True when this success closed it.
      def success!
        return false unless @open_until

        @lock.synchronize do
          was_open = !@open_until.nil?
          @open_until = nil
          was_open
        end
      end
    end
  end
end
