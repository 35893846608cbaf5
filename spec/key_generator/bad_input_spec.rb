# frozen_string_literal: true

require_relative "../support/compat_helpers"

# Bad arguments for Railsess::KeyGenerator / CachingKeyGenerator: the same result or exception
# class as ActiveSupport 6.1 (which calls OpenSSL::PKCS5.pbkdf2_hmac_sha1).
RSpec.describe "KeyGenerator on bad input, compared with ActiveSupport", :active_support, kind: :bad_input do
  include CompatHelpers

  # Runs the block in a forked child, so a crash (abort, signal) or a very long computation is
  # reported instead of taking the suite down: [:ok, description] / [:error, class name] /
  # [:signal, name] / [:timeout, seconds].
  def isolated_outcome(timeout: 1.5, &block)
    reader, writer = IO.pipe
    pid = fork do
      reader.close
      $stderr.reopen(File::NULL) # a native abort prints its own report
      result = outcome(&block)
      writer.write(Marshal.dump(result.map { |part| part.is_a?(Module) ? part.name : part }))
      writer.close
      exit!(0)
    end
    writer.close
    finished = wait_for(pid, timeout)
    return [:timeout, timeout] unless finished
    return [:signal, Signal.signame(finished.termsig)] if finished.signaled?

    Marshal.load(reader.read) # rubocop:disable Security/MarshalLoad
  ensure
    reader&.close
  end

  def wait_for(pid, timeout)
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + timeout
    loop do
      _, status = Process.waitpid2(pid, Process::WNOHANG)
      return status if status

      if Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline
        Process.kill(:KILL, pid)
        Process.waitpid(pid)
        return nil
      end
      sleep 0.01
    end
  end

  def key_outcome(klass, secret, options, args)
    outcome do
      key = klass.new(secret, options).generate_key(*args)
      key.is_a?(String) ? [key.unpack1("H*"), key.encoding.name] : key
    end
  end

  cases = {
    "iterations 0" => ["s", { iterations: 0 }, ["salt", 16]],
    "iterations -1" => ["s", { iterations: -1 }, ["salt", 16]],
    "iterations 1.5" => ["s", { iterations: 1.5 }, ["salt", 16]],
    "iterations \"10\"" => ["s", { iterations: "10" }, ["salt", 16]],
    "iterations nil (default)" => ["s", { iterations: nil }, ["salt", 16]],
    "iterations 2**64" => ["s", { iterations: 2**64 }, ["salt", 16]],
    "iterations -(2**40)" => ["s", { iterations: -(2**40) }, ["salt", 16]],
    "key size 0" => ["s", { iterations: 1 }, ["salt", 0]],
    "key size -1" => ["s", { iterations: 1 }, ["salt", -1]],
    "key size nil" => ["s", { iterations: 1 }, ["salt", nil]],
    "key size \"16\"" => ["s", { iterations: 1 }, %w[salt 16]],
    "key size 16.9" => ["s", { iterations: 1 }, ["salt", 16.9]],
    "key size -(2**40)" => ["s", { iterations: 1 }, ["salt", -(2**40)]],
    "salt nil" => ["s", { iterations: 1 }, [nil, 16]],
    "salt Integer" => ["s", { iterations: 1 }, [1, 16]],
    "salt Symbol" => ["s", { iterations: 1 }, [:salt, 16]],
    "salt invalid UTF-8" => ["s", { iterations: 1 }, ["\xFF", 16]],
    "salt UTF-16" => ["s", { iterations: 1 }, ["salt".encode("UTF-16LE"), 16]],
    "no salt" => ["s", { iterations: 1 }, []],
    "three arguments" => ["s", { iterations: 1 }, ["salt", 16, 1]],
    "secret nil" => [nil, { iterations: 1 }, ["salt", 16]],
    "secret Integer" => [1, { iterations: 1 }, ["salt", 16]],
    "secret Symbol" => [:secret, { iterations: 1 }, ["salt", 16]],
    "secret invalid UTF-8" => ["\xFF\xFE", { iterations: 1 }, ["salt", 16]],
    "secret UTF-16" => ["secret".encode("UTF-16LE"), { iterations: 1 }, ["salt", 16]]
  }

  cases.each do |label, (secret, options, args)|
    it "#{label}: same key or exception as ActiveSupport" do
      expect(key_outcome(Railsess::KeyGenerator, secret, options, args))
        .to eq(key_outcome(ActiveSupport::KeyGenerator, secret, options, args))
    end
  end

  it "takes options as a positional Hash, like ActiveSupport (keyword-only calls are the same too)" do
    expect(outcome { Railsess::KeyGenerator.new("s", { iterations: 3 }).generate_key("x", 8) })
      .to eq(outcome { ActiveSupport::KeyGenerator.new("s", { iterations: 3 }).generate_key("x", 8) })
    expect(outcome { Railsess::KeyGenerator.new("s", iterations: 3).generate_key("x", 8) })
      .to eq(outcome { ActiveSupport::KeyGenerator.new("s", iterations: 3).generate_key("x", 8) })
    expect(outcome { Railsess::KeyGenerator.new }).to eq(outcome { ActiveSupport::KeyGenerator.new })
  end

  # ActiveSupport hands iterations and key size to OpenSSL as C ints: anything >= 2**31 raises
  # RangeError at once. These run in a child process, as a port that accepts them may compute
  # for minutes or abort on a huge allocation.
  {
    "iterations 2**31" => ["s", { iterations: 2**31 }, ["salt", 16]],
    "key size 2**31" => ["s", { iterations: 1 }, ["salt", 2**31]],
    "key size 2**40" => ["s", { iterations: 1 }, ["salt", 2**40]]
  }.each do |label, (secret, options, args)|
    it "#{label}: raises what ActiveSupport raises, promptly and without crashing" do
      expected = isolated_outcome { ActiveSupport::KeyGenerator.new(secret, options).generate_key(*args) }
      actual = isolated_outcome { Railsess::KeyGenerator.new(secret, options).generate_key(*args) }
      expect(expected).to eq([:error, "RangeError"])
      expect(actual).to eq(expected)
    end
  end

  describe "CachingKeyGenerator" do
    def caching(klass, inner_class, *args)
      generator = klass.new(inner_class.new("s", iterations: 1))
      [outcome { generator.generate_key(*args) }, outcome { generator.generate_key(*args) }]
        .map { |result| result.first == :ok ? [:ok, result.last] : result }
    end

    [[nil, 16], [1, 16], ["salt", -1], %w[salt 16], [], ["salt", 16, 1], ["salt", nil], [nil]].each do |args|
      it "generate_key(#{args.inspect[1..-2]}): same result or exception as ActiveSupport, twice" do
        expect(caching(Railsess::CachingKeyGenerator, Railsess::KeyGenerator, *args))
          .to eq(caching(ActiveSupport::CachingKeyGenerator, ActiveSupport::KeyGenerator, *args))
      end
    end

    it "raises what ActiveSupport raises for a generator without generate_key" do
      expect(outcome { Railsess::CachingKeyGenerator.new(Object.new).generate_key("salt") })
        .to eq(outcome { ActiveSupport::CachingKeyGenerator.new(Object.new).generate_key("salt") })
      expect(outcome { Railsess::CachingKeyGenerator.new(nil).generate_key("salt") })
        .to eq(outcome { ActiveSupport::CachingKeyGenerator.new(nil).generate_key("salt") })
    end
  end
end
