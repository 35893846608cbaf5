# frozen_string_literal: true

require "railsess/key_generator"

module Railsess
  # Drop-in for ActiveSupport::CachingKeyGenerator: derives each (salt, size) once. Reads are
  # lock-free; the first derivation of a key takes a lock so it runs once.
  class CachingKeyGenerator
    def initialize(key_generator)
      @key_generator = key_generator
      @cache_keys = {}
      @lock = Mutex.new
    end

    def generate_key(*args)
      cache_key = args.join("|")
      @cache_keys[cache_key] || @lock.synchronize do
        @cache_keys[cache_key] ||= @key_generator.generate_key(*args)
      end
    end

    def inspect
      "#<#{self.class.name}:#{format('%#016x', object_id << 1)}>"
    end
  end
end
