# frozen_string_literal: true

require_relative "../support/compat_helpers"

# Railsess::MessageEncryptor against the real ActiveSupport::MessageEncryptor (6.1 semantics):
# each side must read what the other writes, and railsess must write messages of the same shape.
RSpec.describe "MessageEncryptor compatibility with ActiveSupport", :active_support, kind: :compat do
  include CompatHelpers

  # The "--"-separated parts' sizes (and the CBC inner blob's), and the encoding: what a reader,
  # a cookie size check or a log scrubber could see. Encryption is randomized (IV), so the bytes
  # differ; the shape must not.
  def shape(message)
    parts = message.split("--", -1)
    inner = parts.size == 2 ? Base64.strict_decode64(parts[0]).split("--", -1).map(&:bytesize) : nil
    { encoding: message.encoding.name, parts: parts.map(&:bytesize), inner: inner }
  end

  # Reads `messages` with both encryptors; returns the rows where railsess differs.
  def read_problems(messages, as_codec, rs_codec, purpose, payload)
    messages.filter_map do |writer, message|
      expected = outcome { as_codec.decrypt_and_verify(message, purpose: purpose) }
      actual = outcome { rs_codec.decrypt_and_verify(message, purpose: purpose) }
      @ok_reads += 1 if expected.first == :ok
      next if expected == actual

      { payload: payload, read: "#{writer} message", active_support: expected, railsess: actual }
    end
  end

  CompatHelpers::ENCRYPTOR_CONFIGS.each do |config_label, args, options|
    CompatHelpers::SERIALIZERS.each_key do |serializer_label|
      CompatHelpers::METADATA.each do |metadata_label, write_options, read_purpose|
        it "#{config_label}, #{serializer_label}, #{metadata_label}: each side reads the other's messages" do
          serializer = serializer(serializer_label)
          as = as_encryptor(args, options, serializer: serializer)
          rs = railsess_encryptor(args, options, serializer: serializer)
          write = realize(write_options)
          problems = []
          @ok_reads = 0

          payloads(serializer_label).each do |name, value|
            as_written, rs_written = write_both(as, rs, :encrypt_and_sign, value, write)
            unless same_write?(as_written, rs_written)
              problems << { payload: name, check: "encrypt_and_sign", active_support: as_written.first(2),
                            railsess: rs_written.first(2) }
            end

            messages = {}
            messages["ActiveSupport's"] = as_written.last if as_written.first == :ok
            messages["railsess'"] = rs_written.last if rs_written.first == :ok
            problems.concat(read_problems(messages, as, rs, read_purpose, name))
            next unless as_written.first == :ok && rs_written.first == :ok

            own = outcome { as.decrypt_and_verify(as_written.last, purpose: read_purpose) }
            theirs = outcome { as.decrypt_and_verify(rs_written.last, purpose: read_purpose) }
            if own != theirs
              problems << { payload: name, check: "ActiveSupport reads railsess' message as its own",
                            active_support: own, railsess: theirs }
            end
            next if shape(as_written.last) == shape(rs_written.last)

            problems << { payload: name, check: "shape", active_support: shape(as_written.last),
                          railsess: shape(rs_written.last) }
          end

          expect(problems).to eq([])
          expect(@ok_reads).to be_positive
        end
      end
    end
  end

  describe "ActiveSupport::JSON as the serializer" do
    # ActiveSupport 6.1's ActiveSupport::JSON has encode/decode but no dump/load, so an encryptor
    # using it raises NoMethodError when writing and when reading (after decryption).
    it "fails to write, and to read ::JSON-written messages, exactly as ActiveSupport does" do
      problems = []
      CompatHelpers::ENCRYPTOR_CONFIGS.each do |label, args, options|
        as = as_encryptor(args, options, serializer: ActiveSupport::JSON)
        rs = railsess_encryptor(args, options, serializer: ActiveSupport::JSON)
        json_writer = as_encryptor(args, options, serializer: JSON)
        [[{}, nil], [{ purpose: "login" }, "login"]].each do |write, read_purpose|
          payloads("::JSON").first(6).each do |name, value|
            written = [attempt { as.encrypt_and_sign(value, **write) }, attempt { rs.encrypt_and_sign(value, **write) }]
            written = written.map { |status, result| status == :ok ? [:ok] : [status, result] }
            unless written[0] == written[1]
              problems << { config: label, payload: name, call: "encrypt_and_sign", purpose: write[:purpose],
                            active_support: written[0], railsess: written[1] }
            end

            message = json_writer.encrypt_and_sign(value, **write)
            read = [outcome { as.decrypt_and_verify(message, purpose: read_purpose) },
                    outcome { rs.decrypt_and_verify(message, purpose: read_purpose) }]
            next if read[0] == read[1]

            problems << { config: label, payload: name, call: "decrypt_and_verify", purpose: read_purpose,
                          active_support: read[0], railsess: read[1] }
          end
        end
      end
      expect(problems).to eq([])
    end
  end

  describe "purpose matching" do
    it "reads a message under exactly the purposes ActiveSupport accepts" do
      purposes = [nil, "", "login", :login, "Login", "shopping_cart", 42]
      problems = []
      [CompatHelpers::ENCRYPTOR_CONFIGS[0], CompatHelpers::ENCRYPTOR_CONFIGS[2]].each do |label, args, options|
        as = as_encryptor(args, options, serializer: JSON)
        rs = railsess_encryptor(args, options, serializer: JSON)
        purposes.each do |write_purpose|
          messages = { "AS" => as.encrypt_and_sign({ "a" => 1 }, purpose: write_purpose),
                       "railsess" => rs.encrypt_and_sign({ "a" => 1 }, purpose: write_purpose) }
          messages.each do |writer, message|
            purposes.each do |read_purpose|
              expected = outcome { as.decrypt_and_verify(message, purpose: read_purpose) }
              actual = outcome { rs.decrypt_and_verify(message, purpose: read_purpose) }
              next if expected == actual

              problems << { config: label, writer: writer, written: write_purpose, read: read_purpose,
                            active_support: expected, railsess: actual }
            end
          end
        end
      end
      expect(problems).to eq([])
    end
  end

  describe "expiry" do
    it "accepts a message before expires_at / expires_in and returns nil after, like ActiveSupport" do
      problems = []
      CompatHelpers::ENCRYPTOR_CONFIGS.first(3).each do |label, args, options|
        as = as_encryptor(args, options, serializer: Marshal)
        rs = railsess_encryptor(args, options, serializer: Marshal)
        writes = {
          "expires_at +1h" => { expires_at: Time.now + 3600 },
          "expires_at -1s" => { expires_at: Time.now - 1 },
          "expires_at long ago" => { expires_at: Time.utc(2001, 2, 3, 4, 5, 6) },
          "expires_in 60" => { expires_in: 60 },
          "expires_in -1" => { expires_in: -1 },
          "expires_at -1s + purpose" => { expires_at: Time.now - 1, purpose: "login" }
        }
        writes.each do |write_label, write|
          read_purpose = write[:purpose]
          [as, rs].each do |writer|
            message = writer.encrypt_and_sign("payload", **as_write_options(write))
            expected = outcome { as.decrypt_and_verify(message, purpose: read_purpose) }
            actual = outcome { rs.decrypt_and_verify(message, purpose: read_purpose) }
            next if expected == actual

            problems << { config: label, write: write_label, writer: writer.class.name,
                          active_support: expected, railsess: actual }
          end
        end
      end
      expect(problems).to eq([])
    end
  end

  describe "rotation" do
    # [label, current encryptor args/options, rotate args/options, an "old" writer's args/options]
    rotations = [
      ["GCM -> GCM with an old key",
       [[CompatHelpers::KEY], { cipher: "aes-256-gcm" }],
       [[CompatHelpers::OLD_KEY], {}],
       [[CompatHelpers::OLD_KEY], { cipher: "aes-256-gcm" }]],
      ["CBC -> CBC with old key and old sign_secret",
       [[CompatHelpers::KEY, CompatHelpers::SIGN_SECRET], { cipher: "aes-256-cbc" }],
       [[CompatHelpers::OLD_KEY, CompatHelpers::OLD_SIGN_SECRET], {}],
       [[CompatHelpers::OLD_KEY, CompatHelpers::OLD_SIGN_SECRET], { cipher: "aes-256-cbc" }]],
      ["CBC without sign_secret -> old key only",
       [[CompatHelpers::KEY], { cipher: "aes-256-cbc" }],
       [[CompatHelpers::OLD_KEY], {}],
       [[CompatHelpers::OLD_KEY], { cipher: "aes-256-cbc" }]],
      ["CBC with sign_secret -> old key only (keeps the current sign_secret)",
       [[CompatHelpers::KEY, CompatHelpers::SIGN_SECRET], { cipher: "aes-256-cbc" }],
       [[CompatHelpers::OLD_KEY], {}],
       [[CompatHelpers::OLD_KEY, CompatHelpers::SIGN_SECRET], { cipher: "aes-256-cbc" }]],
      ["GCM -> legacy CBC cookies (cipher change)",
       [[CompatHelpers::KEY], { cipher: "aes-256-gcm" }],
       [[CompatHelpers::OLD_KEY, CompatHelpers::OLD_SIGN_SECRET], { cipher: "aes-256-cbc" }],
       [[CompatHelpers::OLD_KEY, CompatHelpers::OLD_SIGN_SECRET], { cipher: "aes-256-cbc" }]],
      ["CBC SHA1 -> CBC SHA256 (digest change)",
       [[CompatHelpers::KEY, CompatHelpers::SIGN_SECRET], { cipher: "aes-256-cbc", digest: "SHA1" }],
       [[CompatHelpers::KEY, CompatHelpers::SIGN_SECRET], { digest: "SHA256" }],
       [[CompatHelpers::KEY, CompatHelpers::SIGN_SECRET], { cipher: "aes-256-cbc", digest: "SHA256" }]],
      ["GCM JSON -> GCM Marshal (serializer change)",
       [[CompatHelpers::KEY], { cipher: "aes-256-gcm", serializer: JSON }],
       [[CompatHelpers::OLD_KEY], { serializer: Marshal }],
       [[CompatHelpers::OLD_KEY], { cipher: "aes-256-gcm", serializer: Marshal }]]
    ]

    # Whether `encryptor` alone refuses `message` as Rails does (InvalidMessage, so rotations run).
    def refused_by?(encryptor, message, purpose)
      encryptor.decrypt_and_verify(message, purpose: purpose)
      false
    rescue ::ActiveSupport::MessageEncryptor::InvalidMessage
      true
    rescue StandardError
      false
    end

    def build_codec(side, (args, options), **extra)
      side == :active_support ? as_encryptor(args, options, **extra) : railsess_encryptor(args, options, **extra)
    end

    # (An old-key CBC message sharing the current sign_secret verifies under the current key; its
    # decryption there has valid padding about once in 256 tries: no rotation then.)
    def rotation_reported?(current, message, purpose)
      refused_by?(current, message, purpose)
    end

    let(:write_method) { :encrypt_and_sign }
    let(:read_methods) { %i[decrypt_and_verify] }
    let(:unrelated_args) { [CompatHelpers::OTHER_KEY, CompatHelpers::OTHER_SIGN_SECRET] }

    rotations.each do |label, current, rotation, old|
      include_examples "rotating like ActiveSupport", label, current, rotation, old
    end

    include_examples "taking on_rotation from the read call like ActiveSupport",
                     [[CompatHelpers::KEY], { cipher: "aes-256-gcm" }],
                     [[CompatHelpers::OLD_KEY], { cipher: "aes-256-gcm" }]

    it "tries several rotations in order, like ActiveSupport" do
      keys = Array.new(3) { |i| "rotation-key-#{i}".ljust(32, "#") }
      as = as_encryptor([CompatHelpers::KEY], { cipher: "aes-256-gcm" })
      rs = railsess_encryptor([CompatHelpers::KEY], { cipher: "aes-256-gcm" })
      messages = keys.map do |key|
        as.rotate(key)
        rs.rotate(key)
        railsess_encryptor([key], { cipher: "aes-256-gcm" }).encrypt_and_sign([key])
      end
      messages.each do |message|
        as_calls = 0
        rs_calls = 0
        expected = outcome { as.decrypt_and_verify(message, on_rotation: -> { as_calls += 1 }) }
        actual = outcome { rs.decrypt_and_verify(message, on_rotation: -> { rs_calls += 1 }) }
        expect([actual, rs_calls]).to eq([expected, as_calls])
      end
    end
  end

  describe "class-level API" do
    it "has ActiveSupport's default cipher and key_len" do
      expect(Railsess::MessageEncryptor.default_cipher).to eq(ActiveSupport::MessageEncryptor.default_cipher)
      expect(Railsess::MessageEncryptor.key_len).to eq(ActiveSupport::MessageEncryptor.key_len)
      %w[aes-256-gcm aes-256-cbc aes-128-gcm].each do |cipher|
        expect(Railsess::MessageEncryptor.key_len(cipher)).to eq(ActiveSupport::MessageEncryptor.key_len(cipher))
      end
    end

    it "uses ActiveSupport's default cipher and serializer when none is given" do
      as = ActiveSupport::MessageEncryptor.new(CompatHelpers::KEY)
      rs = Railsess::MessageEncryptor.new(CompatHelpers::KEY)
      value = { sym: [1, "ü".b] }
      expect(as.decrypt_and_verify(rs.encrypt_and_sign(value))).to eq(value)
      expect(rs.decrypt_and_verify(as.encrypt_and_sign(value))).to eq(value)
      expect(rs.encrypt_and_sign(value).size).to eq(as.encrypt_and_sign(value).size)
    end

    it "interoperates with an encryptor built from KeyGenerator keys, as a Rails cookie jar does" do
      secret = "secret_key_base" * 8
      as_keys = ActiveSupport::CachingKeyGenerator.new(ActiveSupport::KeyGenerator.new(secret, iterations: 1000))
      rs_keys = Railsess::CachingKeyGenerator.new(Railsess::KeyGenerator.new(secret, iterations: 1000))
      salt = "authenticated encrypted cookie"
      options = { cipher: "aes-256-gcm", serializer: ActiveSupport::MessageEncryptor::NullSerializer }
      as = ActiveSupport::MessageEncryptor.new(as_keys.generate_key(salt, 32), **options)
      rs = Railsess::MessageEncryptor.new(rs_keys.generate_key(salt, 32), **options)
      cookie = JSON.generate("session_id" => "a" * 32, "_csrf_token" => "t")
      expect(rs.decrypt_and_verify(as.encrypt_and_sign(cookie, purpose: "cookie._app_session"),
                                   purpose: "cookie._app_session")).to eq(cookie)
      expect(as.decrypt_and_verify(rs.encrypt_and_sign(cookie, purpose: "cookie._app_session"),
                                   purpose: "cookie._app_session")).to eq(cookie)
    end
  end
end
