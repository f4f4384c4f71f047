/* embed.c - build-time helper: write a file's bytes as a C array.
 *   embed INPUT OUTPUT NAME
 * gives `const unsigned char NAME[]` (NUL-terminated) and
 * `const size_t NAME_len` (without the NUL). */
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: embed INPUT OUTPUT NAME\n");
        return 2;
    }
    FILE *in = fopen(argv[1], "rb");
    if (!in) {
        perror(argv[1]);
        return 1;
    }
    FILE *out = fopen(argv[2], "w");
    if (!out) {
        perror(argv[2]);
        fclose(in);
        return 1;
    }
    fprintf(out, "/* Generated from %s by embed.c; do not edit. */\n#include <stddef.h>\n", argv[1]);
    fprintf(out, "extern const unsigned char %s[];\nextern const size_t %s_len;\n", argv[3], argv[3]);
    fprintf(out, "const unsigned char %s[] = {\n", argv[3]);
    size_t n = 0;
    int c;
    while ((c = fgetc(in)) != EOF) {
        fprintf(out, "%d,", c);
        if (++n % 24 == 0) fputc('\n', out);
    }
    fprintf(out, "0};\nconst size_t %s_len = %zu;\n", argv[3], n);
    int bad = ferror(in) || fclose(out);
    fclose(in);
    return bad ? 1 : 0;
}
