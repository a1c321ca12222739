/*
 * test_caphash.c - the SHA-256 of a capture computed while it is read
 * (cap_open_file_hashed(), cap_sha256()) is `sha256sum FILE`, for every
 * capture in pcaps/ and $SHARED/pcaps (pcap, pcapng through libpcap, and
 * pcapng with several link types through the own reader), however much was
 * read before cap_sha256(): everything, half, one packet, nothing. A hashed
 * open gives the same packets, the same end and the same offsets as an
 * unhashed one. Damage: a capture cut in the middle of a packet, and one
 * whose second record has an impossible length (the reader stops early;
 * the hash still covers the whole file). cap_close() without cap_sha256()
 * stops the hashing thread quickly and leaves no descriptor behind. A file
 * that changes while open (grows, shrinks, is rewritten) has no hash
 * (ESTALE); one renamed over after the open has the hash of the file that
 * was read. Not hashed: a FIFO (read like stdin), cap_open_file(), and the
 * errors of an open.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../analyzer/capture/capture.h"
#include "sha256sum.h"
#include "unit.h"


static const char *top_dir(void)
{
	const char *t = getenv("TOP");
	return t && *t ? t : ".";
}

static void shared_dir(char *buf, size_t len)
{
	const char *s = getenv("SHARED");
	if (s && *s)
		snprintf(buf, len, "%s", s);
	else
		snprintf(buf, len, "%s/../shared", top_dir());
}

/* ---- The capture list ---------------------------------------------------- */

#define MAX_FILES 512
static char *files[MAX_FILES];
static int nfiles;

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) && nfiles < MAX_FILES) {
		if (!ends_with(e->d_name, ".pcap") &&
		    !ends_with(e->d_name, ".pcapng"))
			continue;
		char *p;
		if (asprintf(&p, "%s/%s", dir, e->d_name) >= 0)
			files[nfiles++] = p;
	}
	closedir(d);
}

static void list_files(void)
{
	if (nfiles)
		return;
	char dir[4096], sh[4000];
	snprintf(dir, sizeof dir, "%s/pcaps", top_dir());
	add_dir(dir);
	shared_dir(sh, sizeof sh);
	snprintf(dir, sizeof dir, "%s/pcaps", sh);
	add_dir(dir);
	qsort(files, (size_t)nfiles, sizeof files[0], cmp_str);
}

/* ---- Reading ------------------------------------------------------------- */

/* What a read of a capture gave. */
struct run {
	uint64_t packets;
	uint64_t sum;        /* over every packet's header fields and bytes */
	int end;             /* cap_next()'s last answer: 0 or -1 */
	char err[256];
	int64_t last_off;    /* cap_offset() after the last cap_next() */
	int offsets_ok;      /* cap_offset() never went down nor past size */
};

/* Reads at most max packets (all with UINT64_MAX). */
static void read_packets(struct cap *c, uint64_t max, struct run *r)
{
	memset(r, 0, sizeof *r);
	r->offsets_ok = 1;
	int64_t size = cap_size(c), prev = -1;
	struct cap_packet p;
	int rc = 1;
	while (r->packets < max && (rc = cap_next(c, &p)) == 1) {
		r->packets++;
		uint64_t h = r->sum * 1099511628211u;
		h ^= (uint64_t)p.ts_ns ^ (uint64_t)p.caplen << 32 ^ p.wirelen ^
		     (uint64_t)p.linktype << 48 ^ p.num;
		for (uint32_t i = 0; i < p.caplen; i++)
			h = (h ^ p.data[i]) * 1099511628211u;
		r->sum = h;
		int64_t off = cap_offset(c);
		if (off < prev || (size >= 0 && off > size) || off < 0)
			r->offsets_ok = 0;
		prev = off;
	}
	r->end = rc == 1 ? 1 : rc;
	if (rc < 0)
		snprintf(r->err, sizeof r->err, "%s", cap_errmsg(c));
	r->last_off = cap_offset(c);
}

/* The number of file checks that failed, with a "# why" line for each. */
static int bad_files;

static void file_fail(const char *path, const char *what)
{
	printf("# %s: %s\n", path, what);
	bad_files++;
}

/* Checks one capture: read without hashing as the reference, then hashed
 * to the end and in part. Returns 1 when it was checked, 0 when neither
 * open accepts the file. */
static int check_file(const char *path, int *multi)
{
	char err[512], err2[512], want[65], hex[65];
	struct cap *plain = cap_open_file(path, err, sizeof err);
	struct cap *c = cap_open_file_hashed(path, err2, sizeof err2);
	if (!plain || !c) {
		if (plain || c)
			file_fail(path, "opens only with or without hashing");
		else if (strcmp(err, err2) != 0)
			file_fail(path, "open errors differ");
		cap_close(plain);
		cap_close(c);
		return 0;
	}
	if (sha256sum(path, want) != 0) {
		file_fail(path, "sha256sum failed");
		cap_close(plain);
		cap_close(c);
		return 1;
	}
	int types[16];
	*multi = cap_linktypes(c, types, 16) > 1;
	struct run ref, got;
	read_packets(plain, UINT64_MAX, &ref);
	cap_close(plain);
	if (!cap_hashed(c) || cap_size(c) < 0)
		file_fail(path, "not hashed");
	read_packets(c, UINT64_MAX, &got);
	if (got.packets != ref.packets || got.sum != ref.sum ||
	    got.end != ref.end || strcmp(got.err, ref.err) != 0)
		file_fail(path, "packets differ from an unhashed read");
	if (!got.offsets_ok || got.last_off != ref.last_off)
		file_fail(path, "offsets differ from an unhashed read");
	if (got.end == 0 && got.last_off != cap_size(c))
		file_fail(path, "offset at the end is not the size");
	if (cap_sha256(c, hex) != 0 || strcmp(hex, want) != 0)
		file_fail(path, "hash after the whole read");
	else if (cap_sha256(c, hex) != 0 || strcmp(hex, want) != 0)
		file_fail(path, "second cap_sha256() differs");
	cap_close(c);
	/* In part: nothing, one packet, half of them. */
	uint64_t parts[3] = { 0, 1, ref.packets / 2 };
	for (int i = 0; i < 3; i++) {
		c = cap_open_file_hashed(path, err2, sizeof err2);
		if (!c) {
			file_fail(path, "second open failed");
			break;
		}
		read_packets(c, parts[i], &got);
		if (cap_sha256(c, hex) != 0 || strcmp(hex, want) != 0) {
			char why[64];
			snprintf(why, sizeof why, "hash after %llu packets",
				 (unsigned long long)parts[i]);
			file_fail(path, why);
		}
		cap_close(c);
	}
	return 1;
}

static void t_all_captures(void)
{
	list_files();
	CHECK(nfiles > 0);
	int checked = 0, multi = 0, ng = 0;
	bad_files = 0;
	for (int i = 0; i < nfiles; i++) {
		int m = 0;
		if (check_file(files[i], &m)) {
			checked++;
			multi += m;
			ng += ends_with(files[i], ".pcapng") && !m;
		}
	}
	printf("# %d of %d captures checked: %d with several link types, "
	       "%d other pcapng\n", checked, nfiles, multi, ng);
	CHECK_EQ(bad_files, 0);
	CHECK(checked > 0);
	CHECK(multi > 0); /* pcaps/syn-pcapng-multi.pcapng at least */
}

/* ---- Damaged copies ------------------------------------------------------ */

/* Copies src to a new temporary file, keeping only its first len bytes
 * (all with -1). Returns 0 with the name in path. */
static int copy_file(const char *src, int64_t len, char path[64])
{
	snprintf(path, 64, "/tmp/test_caphash_XXXXXX");
	int out = mkstemp(path);
	if (out < 0)
		return -1;
	int in = open(src, O_RDONLY);
	if (in < 0) {
		close(out);
		unlink(path);
		return -1;
	}
	char buf[65536];
	ssize_t n;
	int ok = 1;
	while ((n = read(in, buf, sizeof buf)) > 0)
		ok &= write(out, buf, (size_t)n) == n;
	ok &= n == 0;
	if (len >= 0)
		ok &= ftruncate(out, len) == 0;
	close(in);
	close(out);
	if (!ok) {
		unlink(path);
		return -1;
	}
	return 0;
}

/* Reads the copy to its end hashed: the read must stop with an error
 * (damage) after at most max_packets, and the hash must be sha256sum's. */
static int check_damaged(const char *path, uint64_t max_packets,
			 uint64_t *packets, char *errmsg, size_t errlen)
{
	char err[512], want[65], hex[65];
	struct cap *c = cap_open_file_hashed(path, err, sizeof err);
	if (!c) {
		snprintf(errmsg, errlen, "open: %s", err);
		return -1;
	}
	struct run r;
	read_packets(c, UINT64_MAX, &r);
	*packets = r.packets;
	snprintf(errmsg, errlen, "%s", r.err);
	int ok = r.end == -1 && r.packets <= max_packets && cap_hashed(c) &&
		 cap_sha256(c, hex) == 0 && sha256sum(path, want) == 0 &&
		 strcmp(hex, want) == 0;
	cap_close(c);
	return ok ? 0 : -1;
}

/* The whole file's size and packet count. */
static int file_info(const char *path, int64_t *size, uint64_t *packets)
{
	char err[512];
	struct cap *c = cap_open_file(path, err, sizeof err);
	if (!c)
		return -1;
	struct run r;
	read_packets(c, UINT64_MAX, &r);
	*size = cap_size(c);
	*packets = r.packets;
	cap_close(c);
	return r.end == 0 ? 0 : -1;
}

/* Cut 5 bytes before the end (inside the last packet's data) and in the
 * middle of the file, for a pcap (libpcap) and a multi-link-type pcapng
 * (the own reader). */
static void t_truncated(void)
{
	static const char *names[] = { "pcaps/syn-many.pcap",
				       "pcaps/syn-pcapng-multi.pcapng",
				       "pcaps/demo.pcap" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char src[4096], tmp[64], msg[600];
		snprintf(src, sizeof src, "%s/%s", top_dir(), names[i]);
		int64_t size;
		uint64_t n, got;
		CHECK_EQ(file_info(src, &size, &n), 0);
		CHECK(n > 2 && size > 64);
		CHECK_EQ(copy_file(src, size - 5, tmp), 0);
		int rc = check_damaged(tmp, n - 1, &got, msg, sizeof msg);
		unlink(tmp);
		if (rc != 0)
			printf("# %s cut at %lld: %llu packets, \"%s\"\n",
			       names[i], (long long)(size - 5),
			       (unsigned long long)got, msg);
		CHECK_EQ(rc, 0);
		CHECK_EQ(got, n - 1);
		/* The middle: usually inside a packet; when it happens to be
		 * a record boundary the read ends cleanly, so only the hash
		 * is checked then. */
		CHECK_EQ(copy_file(src, size / 2 + 3, tmp), 0);
		char err[512], want[65], hex[65];
		struct cap *c = cap_open_file_hashed(tmp, err, sizeof err);
		struct run r;
		if (c)
			read_packets(c, UINT64_MAX, &r);
		int hrc = c ? cap_sha256(c, hex) : -1;
		cap_close(c);
		int wrc = sha256sum(tmp, want);
		unlink(tmp);
		CHECK(c != NULL);
		CHECK_EQ(hrc, 0);
		CHECK_EQ(wrc, 0);
		CHECK_STR(hex, want);
		CHECK(r.packets < n);
	}
}

static uint32_t get32(const uint8_t *p, int be)
{
	return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
			    (uint32_t)p[2] << 8 | p[3]
		  : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
			    (uint32_t)p[1] << 8 | p[0];
}

/* The second record of a pcap file claims a length no reader accepts:
 * libpcap stops after one packet, long before the end of the file, whose
 * rest cap_sha256() reads. The same for a pcapng block length. */
static void t_corrupt(void)
{
	char src[4096], tmp[64], msg[600];
	snprintf(src, sizeof src, "%s/pcaps/syn-many.pcap", top_dir());
	int64_t size;
	uint64_t n, got;
	CHECK_EQ(file_info(src, &size, &n), 0);
	CHECK(n > 10);
	CHECK_EQ(copy_file(src, -1, tmp), 0);
	int fd = open(tmp, O_RDWR);
	CHECK(fd >= 0);
	uint8_t h[24 + 16];
	CHECK_EQ(pread(fd, h, sizeof h, 0), (ssize_t)sizeof h);
	uint32_t magic = get32(h, 0);
	int be = magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u;
	uint32_t cap1 = get32(h + 24 + 8, be);
	off_t rec2 = 24 + 16 + (off_t)cap1;
	uint8_t bad[4] = { 0xff, 0xff, 0xff, 0x7f };
	CHECK_EQ(pwrite(fd, bad, 4, rec2 + 8), 4); /* caplen */
	close(fd);
	int rc = check_damaged(tmp, 1, &got, msg, sizeof msg);
	unlink(tmp);
	if (rc != 0)
		printf("# corrupt pcap: %llu packets, \"%s\"\n",
		       (unsigned long long)got, msg);
	CHECK_EQ(rc, 0);
	CHECK_EQ(got, 1);

	/* pcapng, own reader: a trailer length that differs from the
	 * header's in the last block. */
	snprintf(src, sizeof src, "%s/pcaps/syn-pcapng-multi.pcapng",
		 top_dir());
	CHECK_EQ(file_info(src, &size, &n), 0);
	CHECK_EQ(copy_file(src, -1, tmp), 0);
	fd = open(tmp, O_RDWR);
	CHECK(fd >= 0);
	uint8_t z[4] = { 0, 0, 0, 0 };
	CHECK_EQ(pwrite(fd, z, 4, (off_t)size - 4), 4);
	close(fd);
	rc = check_damaged(tmp, n - 1, &got, msg, sizeof msg);
	unlink(tmp);
	if (rc != 0)
		printf("# corrupt pcapng: %llu packets, \"%s\"\n",
		       (unsigned long long)got, msg);
	CHECK_EQ(rc, 0);
	CHECK_EQ(got, n - 1);
}

/* ---- Closed unhashed, changed while open -------------------------------- */

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* cap_close() without cap_sha256(): right after the open, after some
 * packets, after the whole read; on every capture of pcaps/ (pcap and both
 * pcapng readers). No descriptor is left open (nor memory: the sanitizer
 * build), and the process does not wait for a hash nobody asked for: a
 * capture of 4 GiB (a pcap made sparse at its end) closes at once. */
static void t_close_unhashed(void)
{
	list_files();
	int before = open_fds(), bad = 0;
	for (int i = 0; i < nfiles && !bad; i++) {
		for (uint64_t max = 0; max < 3; max++) {
			char err[512];
			struct cap *c = cap_open_file_hashed(files[i], err,
							     sizeof err);
			if (!c)
				break; /* not a capture: checked elsewhere */
			struct run r;
			read_packets(c, max == 2 ? UINT64_MAX : max, &r);
			cap_close(c);
		}
	}
	CHECK(before > 0);
	CHECK_EQ(open_fds(), before);

	char src[4096], tmp[64];
	snprintf(src, sizeof src, "%s/pcaps/demo.pcap", top_dir());
	CHECK_EQ(copy_file(src, (int64_t)4 << 30, tmp), 0);
	char err[512];
	struct cap *c = cap_open_file_hashed(tmp, err, sizeof err);
	unlink(tmp);
	CHECK(c != NULL);
	CHECK(cap_hashed(c));
	struct cap_packet p;
	CHECK_EQ(cap_next(c, &p), 1);
	usleep(20000); /* the hashing is well under way */
	double t0 = now_s();
	cap_close(c);
	double took = now_s() - t0;
	if (took >= 0.5)
		printf("# cap_close() took %.3f s\n", took);
	CHECK(took < 0.5);
	CHECK_EQ(open_fds(), before);
}

/* Changes a copy of a capture after its hashed open, reads it, and asks
 * for the hash: kind 0 appends a record's worth of bytes, 1 cuts the file
 * in the middle, 2 rewrites it in place (same size, another mtime). Each
 * before the hashing is done and after. cap_sha256() must fail with
 * ESTALE: the bytes hashed would not be those parsed. */
static void t_changed_while_open(void)
{
	char src[4096];
	snprintf(src, sizeof src, "%s/pcaps/syn-many.pcap", top_dir());
	int64_t size;
	uint64_t n;
	CHECK_EQ(file_info(src, &size, &n), 0);
	for (int kind = 0; kind < 3; kind++) {
		for (int late = 0; late < 2; late++) {
			char tmp[64], err[512], hex[65] = "untouched";
			CHECK_EQ(copy_file(src, -1, tmp), 0);
			struct cap *c = cap_open_file_hashed(tmp, err, sizeof err);
			if (late)
				usleep(100000);
			int fd = open(tmp, O_WRONLY | O_APPEND);
			int ok = c && cap_hashed(c) && fd >= 0;
			if (ok && kind == 0) {
				char rec[16 + 60] = { 0 };
				ok = write(fd, rec, sizeof rec) == (ssize_t)sizeof rec;
			} else if (ok && kind == 1) {
				ok = ftruncate(fd, size / 2) == 0;
			} else if (ok) {
				const struct timespec ts[2] = { { 1000000000, 0 },
								{ 1000000000, 0 } };
				ok = futimens(fd, ts) == 0;
			}
			if (fd >= 0)
				close(fd);
			struct run r = { 0 };
			int rc = 0, e = 0;
			if (c) {
				read_packets(c, UINT64_MAX, &r);
				errno = 0;
				rc = cap_sha256(c, hex);
				e = errno;
				cap_close(c);
			}
			unlink(tmp);
			if (rc != -1 || e != ESTALE)
				printf("# change %d, late %d: %llu packets, "
				       "cap_sha256 %d (%s)\n", kind, late,
				       (unsigned long long)r.packets, rc,
				       strerror(e));
			CHECK(ok);
			CHECK_EQ(rc, -1);
			CHECK_EQ(e, ESTALE);
			CHECK_STR(hex, "untouched");
		}
	}
}

/* Another file renamed over the path after the open changes nothing for
 * the capture: it reads, and hashes, the file it opened. */
static void t_renamed_over(void)
{
	char a[4096], b[4096], tmp[64], other[64], err[512];
	char want[65], hex[65];
	snprintf(a, sizeof a, "%s/pcaps/syn-many.pcap", top_dir());
	snprintf(b, sizeof b, "%s/pcaps/demo.pcap", top_dir());
	int64_t size;
	uint64_t n;
	CHECK_EQ(file_info(a, &size, &n), 0);
	CHECK_EQ(sha256sum(a, want), 0);
	CHECK_EQ(copy_file(a, -1, tmp), 0);
	CHECK_EQ(copy_file(b, -1, other), 0);
	struct cap *c = cap_open_file_hashed(tmp, err, sizeof err);
	int mv = rename(other, tmp);
	struct run r = { 0 };
	int rc = -1;
	if (c) {
		read_packets(c, UINT64_MAX, &r);
		rc = cap_sha256(c, hex);
		cap_close(c);
	}
	unlink(tmp);
	unlink(other);
	CHECK(c != NULL);
	CHECK_EQ(mv, 0);
	CHECK_EQ(r.packets, n);
	CHECK_EQ(rc, 0);
	CHECK_STR(hex, want);
}

/* ---- Not hashed ---------------------------------------------------------- */

static void t_plain_open_not_hashed(void)
{
	char path[4096], err[512], hex[65] = "untouched";
	snprintf(path, sizeof path, "%s/pcaps/demo.pcap", top_dir());
	struct cap *c = cap_open_file(path, err, sizeof err);
	CHECK(c != NULL);
	int h = cap_hashed(c);
	errno = 0;
	int rc = cap_sha256(c, hex);
	int e = errno;
	cap_close(c);
	CHECK_EQ(h, 0);
	CHECK_EQ(rc, -1);
	CHECK_EQ(e, EINVAL);
	CHECK_STR(hex, "untouched");
}

/* A FIFO given by name is read as before, like stdin: no size, no hash. */
static void t_fifo(void)
{
	char src[4096], dir[] = "/tmp/test_caphash_XXXXXX", fifo[64];
	snprintf(src, sizeof src, "%s/pcaps/demo.pcap", top_dir());
	int64_t size;
	uint64_t n;
	CHECK_EQ(file_info(src, &size, &n), 0);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(fifo, sizeof fifo, "%s/fifo", dir);
	CHECK_EQ(mkfifo(fifo, 0600), 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		alarm(20);
		int in = open(src, O_RDONLY), out = open(fifo, O_WRONLY);
		char buf[4096];
		ssize_t k;
		while (in >= 0 && out >= 0 && (k = read(in, buf, sizeof buf)) > 0)
			if (write(out, buf, (size_t)k) != k)
				break;
		_exit(0);
	}
	char err[512], hex[65];
	struct cap *c = cap_open_file_hashed(fifo, err, sizeof err);
	struct run r = { 0 };
	int hashed = -1, rc = 0, e = 0;
	int64_t csize = 0;
	if (c) {
		hashed = cap_hashed(c);
		csize = cap_size(c);
		read_packets(c, UINT64_MAX, &r);
		errno = 0;
		rc = cap_sha256(c, hex);
		e = errno;
		cap_close(c);
	}
	int st;
	waitpid(pid, &st, 0);
	unlink(fifo);
	rmdir(dir);
	if (!c)
		printf("# open: %s\n", err);
	CHECK(c != NULL);
	CHECK_EQ(hashed, 0);
	CHECK_EQ(csize, -1);
	CHECK_EQ(r.packets, n);
	CHECK_EQ(r.end, 0);
	CHECK_EQ(rc, -1);
	CHECK_EQ(e, EINVAL);
}

/* Open failures say the same as cap_open_file()'s. */
static void t_open_errors(void)
{
	char err[512], err2[512];
	CHECK(cap_open_file_hashed("/nonexistent/x.pcap", err, sizeof err) ==
	      NULL);
	CHECK_STR(err, strerror(ENOENT));
	CHECK(cap_open_file_hashed("/", err, sizeof err) == NULL);
	CHECK_STR(err, strerror(EISDIR));
	/* A file that is no capture: libpcap's answer, both ways. */
	char path[4096];
	snprintf(path, sizeof path, "%s/pcaps/demo.expect", top_dir());
	CHECK(cap_open_file_hashed(path, err, sizeof err) == NULL);
	CHECK(cap_open_file(path, err2, sizeof err2) == NULL);
	CHECK_STR(err, err2);
	/* Empty. */
	char tmp[] = "/tmp/test_caphash_XXXXXX";
	int fd = mkstemp(tmp);
	CHECK(fd >= 0);
	close(fd);
	struct cap *c = cap_open_file_hashed(tmp, err, sizeof err);
	struct cap *c2 = cap_open_file(tmp, err2, sizeof err2);
	unlink(tmp);
	cap_close(c);
	cap_close(c2);
	CHECK(c == NULL && c2 == NULL);
	CHECK_STR(err, err2);
}

static const struct unit_test tests[] = {
	UNIT(t_all_captures),
	UNIT(t_truncated),
	UNIT(t_corrupt),
	UNIT(t_close_unhashed),
	UNIT(t_changed_while_open),
	UNIT(t_renamed_over),
	UNIT(t_plain_open_not_hashed),
	UNIT(t_fifo),
	UNIT(t_open_errors),
	{ 0 },
};

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	int rc = unit_main(tests, argc, argv);
	for (int i = 0; i < nfiles; i++)
		free(files[i]);
	return rc;
}
