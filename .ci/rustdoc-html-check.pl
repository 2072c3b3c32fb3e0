#!/usr/bin/env perl
# Finds doc-comment link syntax that rustdoc left as text in the rendered HTML of the given
# directories (e.g. target/doc/pages_api_client): `[`Client::projects`]` whose link did not
# resolve (an escaped `\[...\]`, or a link rustdoc did not take for one), `[text](url)` and
# `[text][ref]` left literal, bare `[a::b]` paths, and `\[` shown inside inline code. Code is
# otherwise ignored (`<pre>`, `<code>`), so `[u8]` in code or an example's `v[0]` is fine. Links
# to dependencies render as links only where their docs are beside ours: document the crates
# with their dependencies first. Prints each finding with its file; exits 1 if any.
use strict;
use warnings;
use File::Find;
binmode STDOUT, ":encoding(UTF-8)";

my @dirs = @ARGV or die "usage: $0 DIR...\n";
my ($files, $found) = (0, 0);
my %entity = (amp => '&', lt => '<', gt => '>', quot => '"', '#39' => "'", nbsp => ' ');

find({ no_chdir => 1, wanted => sub {
    return unless -f $_ && /\.html\z/;
    my $file = $_;
    open my $fh, '<:encoding(UTF-8)', $file or die "$file: $!\n";
    local $/;
    my $html = <$fh>;
    close $fh;
    $files++;
    # Only the documentation proper: drop scripts, styles, code blocks and declarations.
    $html =~ s{<(script|style|pre)\b[^>]*>.*?</\1>}{ }gis;
    # A Markdown escape inside inline code shows as typed: `\[` there is a finding too.
    while ($html =~ m{<code\b[^>]*>([^<]*\\[\[\]][^<]*)</code>}g) {
        print "$file: escaped bracket shown in code: `$1`\n";
        $found++;
    }
    # An inline code span becomes its text between markers, `[<code>X</code>]` is `[\x01X\x02]`,
    # its own brackets made parentheses (`[u8]` in code is no finding).
    $html =~ s{<code\b[^>]*>(.*?)</code>}{my $c = $1; $c =~ s/<[^>]*>//g; $c =~ tr/[]/()/; "\x01$c\x02"}gise;
    $html =~ s{<[^>]*>}{ }gs;
    $html =~ s{&(amp|lt|gt|quot|#39|nbsp);}{$entity{$1}}g;
    my @patterns = (
        qr/\[\s*\x01[^\x02]*\x02\s*\]/,                            # [`Item`]
        qr/\[[^\[\]\n]{1,200}\]\(/,                             # [text](url)
        qr/\[[^\[\]\n]{1,200}\]\[[^\[\]\n]*\]/,                 # [text][ref]
        qr/\[[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z0-9_]+)+\]/,      # [a::b]
    );
    for my $pattern (@patterns) {
        while ($html =~ /$pattern/g) {
            my $start = $-[0] > 60 ? $-[0] - 60 : 0;
            my $context = substr($html, $start, $+[0] - $start + 40);
            $context =~ s/[\x01\x02]/`/g;
            $context =~ s/\s+/ /g;
            print "$file: literal link syntax: ...$context...\n";
            $found++;
        }
    }
}}, @dirs);

die "no HTML files under @dirs (run cargo doc first)\n" unless $files;
if ($found) {
    print "rustdoc HTML check: $found literal link(s) in $files files\n";
    exit 1;
}
print "rustdoc HTML check: no literal link syntax in $files files\n";
