# frozen_string_literal: true

return unless defined?(ActiveSupport::MessageEncryptor) # needs the real ActiveSupport

# Differential check against the loaded ActiveSupport: the same operations, on valid and hostile
# input, must give the same outcome (value and its encoding, nil, or exception class).
# The suite runs it against Debian's ActiveSupport 6.1; point it at another version's source with
#   RAILSESS_ACTIVESUPPORT_LIB=/path/to/rails/activesupport/lib rspec spec/messages/differential_spec.rb
RSpec.describe "railsess vs the loaded ActiveSupport, differentially", :active_support, kind: :differential do
  def outcome
    value = yield
    [:ok, value.is_a?(String) ? [value, value.encoding.name] : value]
  rescue Exception => e # rubocop:disable Lint/RescueException
    klass = e.class
    klass = klass.superclass while klass.name.nil? || klass.name.start_with?("Railsess")
    [:error, klass.name]
  end

  as_version = ActiveSupport::VERSION::STRING
  at_least71 = Gem::Version.new(as_version) >= Gem::Version.new("7.1")
  key = "k" * 32
  sign = "s" * 64
  null = ActiveSupport::MessageEncryptor::NullSerializer
  values = ["x", { "a" => 1 }, nil, "", [1, "é"]]
  purposes = [nil, "p", :p]

  hostile = lambda do |m|
    head, *, tail = m.split("--")
    [m, "#{m}--Zm9v", m[0..-2], m.sub(/.--/, "A--"), "--", "", " ", "a--b--c", m.tr("+/", "-_"), m.delete("="),
     nil, 1, :sym, [m], "\xff".b + m, "#{m}\xff", m.b, m.encode("UTF-16LE"),
     "--AAAAAAAAAAAAAA==--#{tail}", "#{head}--AAAAAAAAAAAAAA==--#{tail}", m.upcase]
  end

  encryptor_options = [
    { cipher: "aes-256-gcm", serializer: JSON }, { cipher: "aes-256-gcm", serializer: Marshal },
    { cipher: "aes-256-cbc", serializer: JSON }, { cipher: "aes-256-cbc", serializer: null },
    { cipher: "aes-256-gcm", serializer: null }, { cipher: "aes-256-cbc", digest: "SHA256", serializer: JSON },
    { cipher: "aes-256-cbc", digest: "sha1", serializer: JSON }
  ]
  if at_least71
    encryptor_options += encryptor_options.map { |o| o.merge(url_safe: true) }
    encryptor_options += %i[json json_allow_marshal marshal].map { |s| { cipher: "aes-256-gcm", serializer: s } }
  end

  encryptor_options.product([nil, sign]).each do |options, sign_secret|
    it "MessageEncryptor #{options} sign_secret=#{!sign_secret.nil?} (ActiveSupport #{as_version})" do
      as = ActiveSupport::MessageEncryptor.new(key, sign_secret, **options)
      rs = Railsess::MessageEncryptor.new(key, sign_secret, **options)
      mismatches = []
      values.product(purposes, [nil, Time.now + 60, Time.now - 60]).each do |value, purpose, expires_at|
        written = [as, rs].map do |e|
          outcome do
            e.encrypt_and_sign(value, purpose: purpose, expires_at: expires_at).class
          end
        end
        mismatches << [:encrypt, value, purpose, *written] if written.uniq.size > 1
        message = as.encrypt_and_sign(value, purpose: purpose, expires_at: expires_at) rescue next # rubocop:disable Style/RescueModifier
        [*hostile.call(message), rs.encrypt_and_sign(value, purpose: purpose, expires_at: expires_at)].each do |m|
          [nil, "p", :p, "q", ""].each do |read_purpose|
            read = [as, rs].map { |e| outcome { e.decrypt_and_verify(m, purpose: read_purpose) } }
            mismatches << [m.inspect[0, 50], value, purpose, read_purpose, *read] if read.uniq.size > 1
          end
        end
      end
      expect(mismatches).to be_empty, mismatches.first(5).map(&:inspect).join("\n")
    end
  end

  verifier_options = [{ serializer: JSON }, { serializer: Marshal }, { digest: "SHA256", serializer: JSON },
                      { serializer: null }, { digest: "SHA512", serializer: JSON }, { digest: "MD5", serializer: JSON },
                      { digest: "sha256", serializer: JSON }]
  verifier_options += verifier_options.map { |o| o.merge(url_safe: true) } if at_least71

  verifier_options.each do |options|
    it "MessageVerifier #{options} (ActiveSupport #{as_version})" do
      as = ActiveSupport::MessageVerifier.new(sign, **options)
      rs = Railsess::MessageVerifier.new(sign, **options)
      mismatches = []
      values.product(purposes, [nil, Time.now + 60, Time.now - 60]).each do |value, purpose, expires_at|
        generated = [as, rs].map { |v| outcome { v.generate(value, purpose: purpose, expires_at: expires_at) } }
        mismatches << [:generate, value, purpose, *generated] if generated.uniq.size > 1
        message = as.generate(value, purpose: purpose, expires_at: expires_at) rescue next # rubocop:disable Style/RescueModifier
        [*hostile.call(message), "  ", "  ".encode("UTF-16LE"), "a--b"].each do |m|
          valid = [as, rs].map { |v| outcome { v.valid_message?(m) } }
          mismatches << [:valid_message?, m.inspect[0, 50], *valid] if valid.uniq.size > 1
          [nil, "p", "q"].each do |read_purpose|
            %i[verified verify].each do |method|
              read = [as, rs].map { |v| outcome { v.public_send(method, m, purpose: read_purpose) } }
              mismatches << [method, m.inspect[0, 50], value, purpose, read_purpose, *read] if read.uniq.size > 1
            end
          end
        end
      end
      expect(mismatches).to be_empty, mismatches.first(5).map(&:inspect).join("\n")
    end
  end

  if at_least71
    it "writes the 7.1+ metadata form when use_message_serializer_for_metadata is on" do
      saved = ActiveSupport::Messages::Metadata.use_message_serializer_for_metadata
      ActiveSupport::Messages::Metadata.use_message_serializer_for_metadata = true
      [JSON, Marshal, :json, null].each do |serializer|
        as = ActiveSupport::MessageVerifier.new(sign, serializer: serializer)
        rs = Railsess::MessageVerifier.new(sign, serializer: serializer)
        value = serializer == null ? "x" : { "a" => [1, "é"] }
        [nil, "p"].product([nil, Time.utc(2099)]).each do |purpose, expires_at|
          expect(rs.generate(value, purpose: purpose, expires_at: expires_at))
            .to eq(as.generate(value, purpose: purpose, expires_at: expires_at)), [serializer, purpose].inspect
        end
      end
    ensure
      ActiveSupport::Messages::Metadata.use_message_serializer_for_metadata = saved
    end
  end

  it "rotates like ActiveSupport: which old messages are read, and when on_rotation fires" do
    old_key = "o" * 32
    [JSON, Marshal].product(%w[aes-256-gcm aes-256-cbc]).each do |serializer, cipher|
      options = { cipher: cipher, serializer: serializer }
      calls = Hash.new(0)
      as = ActiveSupport::MessageEncryptor.new(key, **options, on_rotation: -> { calls[:as] += 1 })
      rs = Railsess::MessageEncryptor.new(key, **options, on_rotation: -> { calls[:rs] += 1 })
      [as, rs].each { |e| e.rotate(old_key) }
      old = ActiveSupport::MessageEncryptor.new(old_key, **options)
      [old.encrypt_and_sign("v"), old.encrypt_and_sign("v", purpose: "p"), as.encrypt_and_sign("v"),
       "garbage"].each do |m|
        [nil, "p"].each do |purpose|
          expect(outcome { rs.decrypt_and_verify(m, purpose: purpose) })
            .to eq(outcome { as.decrypt_and_verify(m, purpose: purpose) }), [cipher, serializer, m, purpose].inspect
          expect(calls[:rs]).to eq(calls[:as])
        end
      end
      expect(calls[:as]).to be > 0
    end

    calls = Hash.new(0)
    as = ActiveSupport::MessageVerifier.new(sign, serializer: JSON, on_rotation: -> { calls[:as] += 1 })
    rs = Railsess::MessageVerifier.new(sign, serializer: JSON, on_rotation: -> { calls[:rs] += 1 })
    [as, rs].each { |v| v.rotate("o" * 64, digest: "SHA256") }
    old = ActiveSupport::MessageVerifier.new("o" * 64, digest: "SHA256", serializer: JSON)
    [old.generate("v"), old.generate("v", purpose: "p"), as.generate("v", purpose: "p"), "garbage"].each do |m|
      [nil, "p"].each do |purpose|
        %i[verified verify].each do |method|
          expect(outcome { rs.public_send(method, m, purpose: purpose) })
            .to eq(outcome { as.public_send(method, m, purpose: purpose) }), [m, purpose, method].inspect
          expect(calls[:rs]).to eq(calls[:as])
        end
      end
    end
    expect(calls[:as]).to be > 0
  end
end
